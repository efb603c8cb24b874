/**
 * The one error type of the schedule simulator. `path` is a JSON pointer into the request body
 * (`/schedule/T_max`, `/schedule/schedulers/1/gamma`, `/steps`, `/metrics/3`); `message` is worded
 * like the error PyTorch / transformers / optax itself raises for the same input, and `exception`
 * names the Python exception class that library would raise (`ValueError`, `TypeError`,
 * `ZeroDivisionError`, ...), or `LimitError` for bounds of our own service.
 */
export type PyException =
  'ValueError' | 'TypeError' | 'KeyError' | 'ZeroDivisionError' | 'NotImplementedError' | 'IndexError' | 'LimitError';

export class ScheduleError extends Error {
  readonly path: string;
  readonly exception: PyException;

  constructor(path: string, message: string, exception: PyException = 'ValueError') {
    super(message);
    this.name = 'ScheduleError';
    this.path = path;
    this.exception = exception;
  }
}

/** Python's `a / b` for floats: ZeroDivisionError instead of ±Infinity/NaN. */
export function pyDiv(a: number, b: number, path: string): number {
  if (b === 0) throw new ScheduleError(path, 'float division by zero', 'ZeroDivisionError');
  return a / b;
}

/** Python's `a % b` (result takes the divisor's sign); ZeroDivisionError on b == 0. */
export function pyMod(a: number, b: number, path: string): number {
  if (b === 0) throw new ScheduleError(path, 'float modulo', 'ZeroDivisionError');
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** Python's `a // b` for numbers. */
export function pyFloorDiv(a: number, b: number, path: string): number {
  if (b === 0) throw new ScheduleError(path, 'float floor division by zero', 'ZeroDivisionError');
  return Math.floor(a / b);
}

/** Python's `a ** b` for floats: raises where Python raises, NaN (complex in Python) is left to the caller's finiteness
 * check. */
export function pyPow(a: number, b: number, path: string): number {
  if (a === 0 && b < 0) {
    throw new ScheduleError(path, '0.0 cannot be raised to a negative power', 'ZeroDivisionError');
  }
  return Math.pow(a, b);
}

/** `bisect.bisect_right` (works, like Python's, on unsorted lists too: plain binary search). */
export function bisectRight(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < xs[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A number formatted like Python's repr/str of the JSON value (ints as `5`, floats as `0.5`, `1e-07`). */
export function pyRepr(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (v === Infinity) return 'inf';
    if (v === -Infinity) return '-inf';
    return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map(pyLiteral).join(', ')}]`;
  return JSON.stringify(v);
}

/** Python repr of a value inside a container (strings quoted). */
export function pyLiteral(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : pyRepr(v);
}

/** Python type name of a JSON value, for TypeError messages. */
export function pyTypeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}
