/**
 * Name tables looked up with a client's string: `own(TABLE, name)` is `TABLE[name]` when `name` is
 * the table's own entry, else undefined, so a name never finds Object.prototype's members
 * (`toString`, `constructor`, `__proto__`, `hasOwnProperty`, `valueOf`, ...). Use it (or a Map)
 * for every `TABLE[userString]`; `name in TABLE` has the same hole.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}
