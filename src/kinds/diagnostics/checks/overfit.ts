/**
 * The `overfit_batch` check: train on ONE fixed tiny batch and see the loss go to ~0 (Karpathy
 * 2019, "overfit one batch"; fastai / Lightning's `overfit_batches`). A model that cannot memorise
 * 8 rows will not learn the dataset: the bug is in the model, the loss, the labels or the LR.
 *
 * Pass: the last loss is below 10% of the first, or (classification) the batch is classified
 * 100% correctly at the end. Otherwise the curve says why, first match wins:
 *   non_finite   a NaN/Inf loss or gradient (training stops there)      → clip, lower the LR, check data
 *   constant     max − min ≤ 1e-3·|first loss| (or every gradient is 0)  → LR too small or zero gradients
 *   diverging    the mean of the last quarter > 1.5× that of the first  → lower the LR
 *   spiked       some loss > 3× the first (it blew up, then settled)    → lower the LR
 *   oscillating  > 30% of consecutive differences change sign and the last quarter's mean is
 *                ≥ 0.9× the first's (no downward trend)                 → lower the LR
 *   slow         the last loss is below 50% of the first (warn)         → more steps or a higher LR
 *   stuck        anything else                                          → LR, capacity, labels
 * A memorised batch whose weights grew more than 100× in norm (an absurd LR that still separates
 * a few points, e.g. Adam at lr 1e3) is a warning: the LR is far too large for real training.
 * Thresholds are ours, stated here and in the details.
 */
import { fin, fmt, type CheckResult, type CheckStatus } from './types.js';
import { maxOf, minOf } from '../../../core/extent.js';

export const PASS_FRACTION = 0.1;
export const SLOW_FRACTION = 0.5;
export const CONSTANT_TOLERANCE = 1e-3;
export const OSCILLATION_SIGN_CHANGES = 0.3;
export const SPIKE_FACTOR = 3;
export const WEIGHT_GROWTH_LIMIT = 100;

export type OverfitDiagnosis =
  'memorised' | 'non_finite' | 'constant' | 'diverging' | 'spiked' | 'oscillating' | 'slow' | 'stuck';

export interface OverfitInput {
  /** loss on the batch before each step; null = non-finite (the run stops at the first) */
  losses: readonly (number | null)[];
  /** classification: accuracy on the batch after each step; null for regression */
  accuracies: readonly (number | null)[] | null;
  /** total gradient norm of each step (null = non-finite) */
  grad_norms: readonly (number | null)[];
  /** steps asked for */
  steps: number;
  lr: number;
  /** ‖weights after‖ / ‖weights before‖ (all parameters), when known */
  weight_growth?: number | null;
}

const mean = (a: readonly number[]) => a.reduce((s, x) => s + x, 0) / a.length;

/** Fraction of consecutive non-zero differences whose sign flips. */
export function signChangeFraction(losses: readonly number[]): number {
  const d: number[] = [];
  for (let i = 1; i < losses.length; i++) {
    const x = losses[i] - losses[i - 1];
    if (x !== 0) d.push(Math.sign(x));
  }
  if (d.length < 2) return 0;
  let flips = 0;
  for (let i = 1; i < d.length; i++) if (d[i] !== d[i - 1]) flips++;
  return flips / (d.length - 1);
}

export function checkOverfit(o: OverfitInput): CheckResult & { diagnosis: OverfitDiagnosis } {
  const n = o.losses.length;
  const firstBad = o.losses.findIndex((l) => l === null);
  const badGrad = o.grad_norms.findIndex((g) => g === null);
  const finite = o.losses.filter((l): l is number => l !== null);
  const first = finite[0] ?? NaN;
  const last = finite[finite.length - 1] ?? NaN;
  const finalAcc = o.accuracies && o.accuracies.length ? o.accuracies[o.accuracies.length - 1] : null;
  const details: Record<string, unknown> = {
    lr: o.lr,
    steps: o.steps,
    steps_run: n,
    first_loss: fin(first),
    final_loss: fin(last),
    min_loss: finite.length ? fin(minOf(finite)) : null,
    final_to_first: first > 0 ? fin(last / first) : null,
    final_accuracy: finalAcc,
    sign_change_fraction: null,
    non_finite_step: null,
    weight_growth: o.weight_growth === undefined || o.weight_growth === null ? null : fin(o.weight_growth),
  };
  const result = (diagnosis: OverfitDiagnosis, status: CheckStatus, summary: string, hints: string[]) => ({
    name: 'overfit_batch' as const,
    status,
    summary,
    details: { ...details, diagnosis },
    hints,
    diagnosis,
  });

  const stop = firstBad >= 0 ? firstBad : badGrad;
  if (stop >= 0 || n === 0) {
    details.non_finite_step = stop >= 0 ? stop : null;
    return result(
      'non_finite',
      'fail',
      `the loss or the gradients became NaN/Inf at step ${stop} of ${o.steps} (lr ${fmt(o.lr)})`,
      [
        'clip gradients (clip_grad_norm)',
        `lower the LR (${fmt(o.lr)} is too large for this model; run an LR range test)`,
        'check the data for NaN or huge values',
      ],
    );
  }
  const pct = first > 0 ? `${fmt((100 * last) / first)}%` : 'n/a';
  if (first === 0 || last < PASS_FRACTION * first || finalAcc === 1) {
    const acc = finalAcc !== null ? `, accuracy on the batch ${fmt(100 * finalAcc)}%` : '';
    const growth = o.weight_growth ?? null;
    if (growth !== null && growth > WEIGHT_GROWTH_LIMIT) {
      return result(
        'memorised',
        'warn',
        `memorised the batch (loss ${fmt(first)} → ${fmt(last)}${acc}), but the weights grew ${fmt(growth)}× in norm`,
        [
          `lower the LR: ${fmt(o.lr)} only memorises a tiny batch by blowing the weights up, and will not train on the full data`,
        ],
      );
    }
    return result(
      'memorised',
      'pass',
      `memorised the batch: loss ${fmt(first)} → ${fmt(last)} (${pct} of its start) in ${n} steps${acc}`,
      [],
    );
  }
  const lo = minOf(finite),
    hi = maxOf(finite);
  const allZeroGrad = o.grad_norms.length > 0 && o.grad_norms.every((g) => g === 0);
  if (allZeroGrad || hi - lo <= CONSTANT_TOLERANCE * Math.abs(first)) {
    return result(
      'constant',
      'fail',
      `the loss stayed at ${fmt(first)} for ${n} steps${allZeroGrad ? ' (every gradient was exactly zero)' : ''}`,
      [
        `LR too small (${fmt(o.lr)}) or zero gradients: raise the LR, and see the gradients check`,
        'check that the loss depends on the model output (labels in the right column, no detached or frozen layers)',
      ],
    );
  }
  const q = Math.max(1, Math.floor(n / 4));
  const head = mean(finite.slice(0, q)),
    tail = mean(finite.slice(n - q));
  const flips = signChangeFraction(finite);
  Object.assign(details, { sign_change_fraction: flips, first_quarter_mean: head, last_quarter_mean: tail });
  if (tail > 1.5 * head) {
    return result(
      'diverging',
      'fail',
      `the loss rose from ${fmt(head)} to ${fmt(tail)} (first vs last quarter of ${n} steps)`,
      [`lower the LR (${fmt(o.lr)} diverges on a single batch)`, 'clip gradients (clip_grad_norm)'],
    );
  }
  if (hi > SPIKE_FACTOR * first) {
    const at = finite.indexOf(hi);
    return result(
      'spiked',
      'fail',
      `the loss spiked to ${fmt(hi)} (${fmt(hi / first)}× its start) at step ${at} and ended at ${pct} of its start`,
      [
        `lower the LR (${fmt(o.lr)} makes the loss blow up on a single batch; after such a spike ReLU units are often dead for good)`,
        'clip gradients (clip_grad_norm), or add a warmup',
      ],
    );
  }
  if (flips > OSCILLATION_SIGN_CHANGES && tail >= 0.9 * head) {
    return result(
      'oscillating',
      'fail',
      `the loss oscillates without going down (${fmt(100 * flips)}% of steps change direction; last quarter ${fmt(tail)} vs first ${fmt(head)})`,
      [`lower the LR (try ${fmt(o.lr / 10)})`, 'for SGD with momentum, lower the momentum too'],
    );
  }
  if (last < SLOW_FRACTION * first) {
    return result(
      'slow',
      'warn',
      `the loss fell to ${pct} of its start in ${n} steps but did not reach ${100 * PASS_FRACTION}%`,
      ['raise overfit_steps or the LR: a healthy model memorises a tiny batch quickly'],
    );
  }
  return result('stuck', 'fail', `the loss only fell to ${pct} of its start in ${n} steps`, [
    `raise the LR (${fmt(o.lr)} may be too small)`,
    'if a higher LR diverges instead, the model may be too small to memorise the batch, or the labels may not match the inputs (check the data pipeline)',
  ]);
}
