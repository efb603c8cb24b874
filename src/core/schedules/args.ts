/**
 * Reads one schedule's keyword arguments from a JSON object the way a Python call would:
 * required arguments, defaults, `None` (JSON null) where the library accepts it, and a TypeError
 * for an unknown keyword. Values are never coerced (a string is not a number, a bool is not a
 * number), every number must be finite (JSON carries no NaN/Infinity, and our service rejects them).
 */
import { ScheduleError, pyLiteral, pyTypeName } from './errors.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class Args {
  private readonly used = new Set<string>(['type']);

  /**
   * @param obj   the schedule object (its `type` is already known)
   * @param path  JSON pointer of the object (`/schedule`, `/schedule/schedulers/0`)
   * @param fn    the Python callable for messages: `StepLR.__init__`, `get_wsd_schedule`, `cosine_decay_schedule`
   */
  constructor(
    readonly obj: JsonObject,
    readonly path: string,
    readonly fn: string,
  ) {}

  at(key: string): string {
    return `${this.path}/${key}`;
  }

  /** present and not null (JSON null = Python None) */
  has(key: string): boolean {
    this.used.add(key);
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  /** present at all (null included) */
  given(key: string): boolean {
    this.used.add(key);
    return this.obj[key] !== undefined;
  }

  raw(key: string): Json | undefined {
    this.used.add(key);
    return this.obj[key];
  }

  /** Mark keys as accepted without reading them. */
  accept(...keys: string[]): void {
    for (const k of keys) this.used.add(k);
  }

  /** Python's "missing N required positional arguments" for every absent one, in order. */
  require(...keys: string[]): void {
    const missing = keys.filter((k) => this.obj[k] === undefined);
    for (const k of keys) this.used.add(k);
    if (missing.length === 0) return;
    const quoted = missing.map((k) => `'${k}'`);
    const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
    const noun = missing.length === 1 ? 'argument' : 'arguments';
    throw new ScheduleError(
      this.at(missing[0]),
      `${this.fn}() missing ${missing.length} required positional ${noun}: ${list}`,
      'TypeError',
    );
  }

  private typeError(key: string, want: string): never {
    const v = this.obj[key];
    throw new ScheduleError(
      this.at(key),
      `${key} must be ${want}, got ${pyLiteral(v)} of type ${pyTypeName(v)}`,
      'TypeError',
    );
  }

  /** A finite number. `def` undefined = required. */
  num(key: string, def?: number): number {
    this.used.add(key);
    const v = this.obj[key];
    if (v === undefined) {
      if (def === undefined) this.require(key);
      return def as number;
    }
    if (typeof v !== 'number') this.typeError(key, 'a number');
    if (!Number.isFinite(v)) this.typeError(key, 'a finite number');
    return v;
  }

  /** A finite number or None (null / absent). */
  optNum(key: string): number | null {
    this.used.add(key);
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    return this.num(key);
  }

  /** A number that must be integral (where the library itself checks `isinstance(x, int)`). */
  int(key: string, def?: number): number {
    const v = this.num(key, def);
    if (!Number.isInteger(v)) this.typeError(key, 'an integer');
    return v;
  }

  bool(key: string, def: boolean): boolean {
    this.used.add(key);
    const v = this.obj[key];
    if (v === undefined) return def;
    if (typeof v !== 'boolean') this.typeError(key, 'a bool');
    return v;
  }

  str(key: string, def?: string): string {
    this.used.add(key);
    const v = this.obj[key];
    if (v === undefined) {
      if (def === undefined) this.require(key);
      return def as string;
    }
    if (typeof v !== 'string') this.typeError(key, 'a string');
    return v;
  }

  /** A list of finite numbers. */
  numList(key: string, def?: number[]): number[] {
    this.used.add(key);
    const v = this.obj[key];
    if (v === undefined) {
      if (def === undefined) this.require(key);
      return def as number[];
    }
    if (!Array.isArray(v)) this.typeError(key, 'a list of numbers');
    return v.map((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new ScheduleError(
          `${this.at(key)}/${i}`,
          `${key}[${i}] must be a finite number, got ${pyLiteral(x)}`,
          'TypeError',
        );
      }
      return x;
    });
  }

  /** A list (of anything: child specs). */
  list(key: string): Json[] {
    this.used.add(key);
    const v = this.obj[key];
    if (v === undefined) this.require(key);
    if (!Array.isArray(v)) this.typeError(key, 'a list');
    return v;
  }

  /** Reject an argument the library has but that cannot travel over JSON or that we do not simulate. */
  unsupported(key: string, why: string): void {
    if (this.obj[key] !== undefined)
      throw new ScheduleError(this.at(key), `${key} is not supported: ${why}`, 'TypeError');
    this.used.add(key);
  }

  /** Unknown keywords: Python's own TypeError. Call after reading every argument. */
  finish(): void {
    for (const k of Object.keys(this.obj)) {
      if (!this.used.has(k)) {
        throw new ScheduleError(this.at(k), `${this.fn}() got an unexpected keyword argument '${k}'`, 'TypeError');
      }
    }
  }
}
