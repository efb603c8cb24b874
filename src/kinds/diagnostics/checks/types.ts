/** The shape every diagnostic check returns, and how statuses combine. Pure. */

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  name: 'data' | 'init' | 'gradients' | 'overfit_batch';
  status: CheckStatus;
  summary: string;
  /** numbers behind the status; non-finite numbers are null (see `fin`) */
  details: Record<string, unknown>;
  hints: string[];
}

/** Per-layer statistics of one forward/backward pass at initialisation (a LayerStats row plus the layer kind). */
export interface InitLayerStats {
  layer: string;
  kind: string;
  act_mean: number;
  act_std: number;
  dead_fraction: number;
  weight_norm: number;
  grad_norm: number;
}

const RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** The worst of some statuses (pass for none). */
export function worst(statuses: readonly CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'pass');
}

/** A number for JSON: null where NaN/±Inf. */
export const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A short human form of a number for messages (3 significant digits). */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}
