/**
 * Loss values as the libraries see them. Inside lr-finder a loss is a JS number — which already
 * has NaN, +Infinity and -Infinity, with IEEE-754 semantics identical to numpy/torch float64 — or
 * `null`, "non-finite, but we do not know which" (what a JSON client sends for a NaN/Inf it could
 * not encode). These four are distinct because the libraries treat them differently: fastai keeps
 * ±Inf and cuts at the first NaN; torch-lr-finder's argmin lands on the first NaN; Lightning
 * drops every non-finite point; keras_lr_finder stops at a NaN.
 *
 * On the wire (JSON has no NaN/Infinity) a loss is a number, one of the strings "NaN",
 * "Infinity", "-Infinity", or null. Where a library must be reproduced and the value is null,
 * lr-finder reads it as NaN (the common case: an EMA that met an Inf turns NaN one step later),
 * and says so in a warning.
 */

export type LossValue = number | null;
export type WireLoss = number | 'NaN' | 'Infinity' | '-Infinity' | null;
export type LossKind = 'finite' | 'nan' | 'inf' | '-inf' | 'unknown';

export const NON_FINITE_WIRE = Object.freeze(['NaN', 'Infinity', '-Infinity'] as const);

export function decodeLoss(v: WireLoss): LossValue {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

export function encodeLoss(v: LossValue): WireLoss {
  if (v === null) return null;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export function decodeLosses(vs: readonly WireLoss[]): LossValue[] {
  return vs.map(decodeLoss);
}

export function encodeLosses(vs: readonly LossValue[]): WireLoss[] {
  return vs.map(encodeLoss);
}

export function lossKind(v: LossValue): LossKind {
  if (v === null) return 'unknown';
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return 'finite';
}

export function isFiniteLoss(v: LossValue | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** The float a library would have held: null (unknown non-finite) reads as NaN. */
export function libraryFloat(v: LossValue): number {
  return v === null ? NaN : v;
}

/** Indices of null (unknown non-finite) values, for the warning that they were read as NaN. */
export function unknownIndices(vs: readonly LossValue[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < vs.length; i++) if (vs[i] === null) out.push(i);
  return out;
}

/**
 * A float64 kept in JSON state (a sweep session in Redis) bit for bit: JSON turns NaN and ±Infinity
 * into null and -0 into 0, so those travel as strings. Not a wire format: state only.
 */
export type StoredFloat = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

export function storeFloat(x: number): StoredFloat {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0 && Object.is(x, -0)) return '-0';
  return x;
}

export function loadFloat(x: StoredFloat): number {
  switch (x) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    default:
      return x;
  }
}

/** A stored loss: a StoredFloat, or null for "unknown non-finite". */
export type StoredLoss = StoredFloat | null;
export const storeLoss = (v: LossValue): StoredLoss => (v === null ? null : storeFloat(v));
export const loadLoss = (v: StoredLoss): LossValue => (v === null ? null : loadFloat(v));
