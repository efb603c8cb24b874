/**
 * Diagnostics of a recorded loss-vs-LR curve: things a user should know before trusting any
 * suggestion. Thresholds are ours (no library emits these), chosen to be conservative:
 *
 * - flat_curve: over the finite prefix, the loss never falls more than 1% below its first value
 *   and never rises more than 25% above it → LR range too small or zero gradients.
 * - diverges_immediately: the minimum is within the first 10% of the points (or at the first
 *   two) and the loss then rises more than 25% above it → start_lr is already too large.
 * - too_few_points_per_decade: (n - 1) / log10(lr_last / lr_first) < 12 (reference guidance:
 *   about 12 points per decade at least); the suggestions become coarse.
 * - non_finite_losses: some losses are null; methods that cut at the first one saw only the
 *   points before it (`iteration` = its index).
 */
import { percent } from './text.js';

export interface CurveWarning {
  code: string;
  message: string;
  iteration?: number | null;
}

export const MIN_POINTS_PER_DECADE = 12;

export function curveWarnings(lrs: readonly number[], losses: readonly (number | null)[]): CurveWarning[] {
  const out: CurveWarning[] = [];
  const n = Math.min(lrs.length, losses.length);

  let firstNull = -1;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = losses[i];
    if (v === null || !Number.isFinite(v)) {
      nulls++;
      if (firstNull < 0) firstNull = i;
    }
  }
  if (nulls > 0) {
    out.push({
      code: 'non_finite_losses',
      message: `${nulls} non-finite loss value${nulls === 1 ? '' : 's'} (first at index ${firstNull}); a method whose window is cut there (its trim.cut_at) only sees the points before it`,
      iteration: firstNull,
    });
  }

  if (n >= 2 && lrs[0] > 0 && lrs[n - 1] > lrs[0]) {
    const decades = Math.log10(lrs[n - 1] / lrs[0]);
    const ppd = (n - 1) / decades;
    if (ppd < MIN_POINTS_PER_DECADE) {
      out.push({
        code: 'too_few_points_per_decade',
        message: `${ppd.toFixed(1)} points per decade of LR (${n} points over ${decades.toFixed(2)} decades); use at least ${MIN_POINTS_PER_DECADE} per decade (raise num_iter or narrow start_lr..end_lr) for a reliable suggestion`,
      });
    }
  }

  const m = firstNull < 0 ? n : firstNull;
  if (m >= 3) {
    const y = losses.slice(0, m) as number[];
    const first = y[0];
    let iMin = 0;
    let iMax = 0;
    for (let i = 1; i < m; i++) {
      if (y[i] < y[iMin]) iMin = i;
      if (y[i] > y[iMax]) iMax = i;
    }
    const scale = Math.max(Math.abs(first), 1e-12);
    const drop = (first - y[iMin]) / scale;
    const rise = (y[iMax] - first) / scale;
    let maxAfterMin = y[iMin];
    for (let i = iMin; i < m; i++) if (y[i] > maxAfterMin) maxAfterMin = y[i];
    const riseAfterMin = (maxAfterMin - y[iMin]) / Math.max(Math.abs(y[iMin]), 1e-12);
    if (iMin <= Math.max(1, Math.floor(0.1 * m)) && riseAfterMin > 0.25) {
      out.push({
        code: 'diverges_immediately',
        message: `the loss is lowest at index ${iMin} of ${m} and then rises ${percent(riseAfterMin)}: the run diverges almost at once, start_lr is already too large (lower start_lr)`,
        iteration: iMin,
      });
    } else if (drop < 0.01 && rise <= 0.25) {
      out.push({
        code: 'flat_curve',
        message:
          'the loss never decreases by more than 1% over the range: LR too small (raise end_lr) or zero gradients (check the model, the data and the loss)',
      });
    }
  }
  return out;
}
