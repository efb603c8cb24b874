/**
 * Defence in depth for "no NaN or Infinity ever reaches JSON": replaces non-finite numbers with
 * null in a response payload (results are already built finite-or-null by the workers).
 */
export function sanitizeNonFinite<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const w = walk(v[i]);
      if (w !== v[i]) {
        copy ??= v.slice();
        copy[i] = w;
      }
    }
    return copy ?? v;
  }
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    let copy: Record<string, unknown> | null = null;
    for (const [k, x] of Object.entries(v)) {
      const w = walk(x);
      if (w !== x) {
        copy ??= { ...(v as Record<string, unknown>) };
        copy[k] = w;
      }
    }
    return copy ?? v;
  }
  return v;
}
