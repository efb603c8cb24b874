/**
 * The `init` check: one forward pass at initialisation.
 *
 * Variance propagation: a well-initialised network keeps the scale of its activations roughly
 * constant from layer to layer. Glorot & Bengio 2010 ("Understanding the difficulty of training
 * deep feedforward neural networks", §4.2) derive Var(W) = 2/(fan_in + fan_out) for tanh-like
 * units; He et al. 2015 ("Delving Deep into Rectifiers", §2.2) Var(W) = 2/fan_in for ReLU — any
 * other scale multiplies the activation variance by a constant factor per layer, so it explodes or
 * vanishes geometrically with depth. We compare the activation std of every hidden layer with the
 * first one's: beyond 100× either way is a failure (the same limit as the range test's layer
 * warnings), beyond 10× a warning; a hidden layer whose output has std 0 has collapsed.
 *
 * Dead units: more than half of a ReLU-family layer's units output 0 for the whole batch at init
 * (the range test's DEAD_FRACTION_LIMIT) is a warning — they get no gradient.
 *
 * Initial loss: with a diffuse output the loss at init is the chance-level loss — cross entropy
 * ln C (uniform softmax over C classes; label smoothing does not change it), binary cross entropy
 * ln 2 (logit 0), and for regression the loss of predicting the targets' mean. Karpathy (2019,
 * "verify loss @ init") — far above it (> 1.5×) means badly scaled logits or a bad init.
 */
import { createLoss } from '../../../core/losses.js';
import { DEAD_FRACTION_LIMIT } from '../../../lrfinder/layer-diagnostics.js';
import type { LossSpec } from '../../../core/spec.js';
import { fin, fmt, type CheckResult, type CheckStatus, type InitLayerStats } from './types.js';

export const ACTIVATION_FAIL_GROWTH = 100;
export const ACTIVATION_WARN_GROWTH = 10;
export const INITIAL_LOSS_LIMIT = 1.5;

/** The expected loss at init for classification: ln C (cross entropy), ln 2 (binary cross entropy). */
export function chanceLoss(loss: LossSpec['name'], classes: number): number | null {
  if (loss === 'cross_entropy') return Math.log(classes);
  if (loss === 'bce_with_logits') return Math.LN2;
  return null;
}

/**
 * Regression: the loss of predicting each target column's mean for every row (the best constant
 * prediction for MSE), computed with the core's own loss. `y` is rows × cols.
 */
export function meanPredictionLoss(spec: LossSpec, y: Float32Array, rows: number, cols: number): number {
  const pred = new Float32Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += y[r * cols + j];
    for (let r = 0; r < rows; r++) pred[r * cols + j] = s / rows;
  }
  return createLoss(spec).forward(pred, y, rows, cols, new Float32Array(rows * cols));
}

export interface InitCheckInput {
  /** every layer with statistics, the output layer last */
  layers: readonly InitLayerStats[];
  initial_loss: number;
  /** the chance-level loss to compare with, and how it was obtained */
  expected_loss: number;
  expected_basis: string;
}

const INIT_HINT =
  'use kaiming_normal for ReLU-family activations (He et al. 2015) and xavier_normal for tanh/sigmoid (Glorot & Bengio 2010), or add batchnorm/layernorm between the layers';

export function checkInit({ layers, initial_loss, expected_loss, expected_basis }: InitCheckInput): CheckResult {
  const found: { status: CheckStatus; text: string; hint: string }[] = [];
  const hidden = layers.slice(0, -1);
  const details: Record<string, unknown> = {
    initial_loss: fin(initial_loss),
    expected_loss: fin(expected_loss),
    expected_basis,
    loss_ratio: expected_loss > 0 ? fin(initial_loss / expected_loss) : null,
    act_std_first: null,
    act_std_last: null,
    act_std_growth: null,
    first_layer: null,
    last_layer: null,
  };

  const bad = hidden.filter((l) => !Number.isFinite(l.act_std) || !Number.isFinite(l.act_mean));
  if (bad.length) {
    found.push({
      status: 'fail',
      text: `NaN/Inf activations at init in ${bad.map((l) => l.layer).join(', ')}`,
      hint: `${INIT_HINT}; check the data for NaN or huge values`,
    });
  }
  const collapsed = hidden.filter((l) => l.act_std === 0);
  if (collapsed.length) {
    found.push({
      status: 'fail',
      text: `${collapsed.map((l) => l.layer).join(', ')} output a constant at init (activation std 0)`,
      hint: `zeros/constant init makes every unit identical, and all-dead ReLUs output 0: ${INIT_HINT}`,
    });
  }
  const live = hidden.filter((l) => Number.isFinite(l.act_std) && l.act_std > 0);
  if (live.length >= 2) {
    const a = live[0],
      b = live[live.length - 1];
    const growth = b.act_std / a.act_std;
    Object.assign(details, {
      act_std_first: a.act_std,
      act_std_last: b.act_std,
      act_std_growth: fin(growth),
      first_layer: a.layer,
      last_layer: b.layer,
    });
    // the most extreme hidden layer relative to the first (the signal may blow up or die in the middle and recover)
    const hi = live.reduce((m, l) => (l.act_std > m.act_std ? l : m), a);
    const lo = live.reduce((m, l) => (l.act_std < m.act_std ? l : m), a);
    const up = hi.act_std / a.act_std,
      down = lo.act_std / a.act_std;
    Object.assign(details, { act_std_max_ratio: fin(up), act_std_min_ratio: fin(down) });
    const span = (l: InitLayerStats) => `from ${a.layer} (std ${fmt(a.act_std)}) to ${l.layer} (std ${fmt(l.act_std)})`;
    if (up > ACTIVATION_FAIL_GROWTH) {
      found.push({
        status: 'fail',
        text: `activations explode at init: their std grows ${fmt(up)}× ${span(hi)}`,
        hint: `the init scale is too large for this depth: ${INIT_HINT}`,
      });
    } else if (down < 1 / ACTIVATION_FAIL_GROWTH) {
      found.push({
        status: 'fail',
        text: `activations vanish at init: their std shrinks to ${fmt(down)}× ${span(lo)}`,
        hint: `the init scale is too small for this depth: ${INIT_HINT}`,
      });
    } else if (up > ACTIVATION_WARN_GROWTH || down < 1 / ACTIVATION_WARN_GROWTH) {
      const l = up > ACTIVATION_WARN_GROWTH ? hi : lo;
      found.push({
        status: 'warn',
        text: `activation std changes ${fmt(l.act_std / a.act_std)}× ${span(l)} at init`,
        hint: INIT_HINT,
      });
    }
  }

  const dead = hidden.filter((l) => l.act_std > 0 && l.dead_fraction > DEAD_FRACTION_LIMIT);
  if (dead.length) {
    details.dead_layers = dead.map((l) => ({ layer: l.layer, dead_fraction: l.dead_fraction }));
    found.push({
      status: 'warn',
      text: dead
        .map((l) => `${fmt(100 * l.dead_fraction)}% of ${l.layer}'s units output 0 for the whole batch at init`)
        .join(', '),
      hint: 'dead ReLU units get no gradient: use kaiming init with zero biases, leaky_relu, or standardise the inputs',
    });
  }

  if (!Number.isFinite(initial_loss)) {
    found.push({
      status: 'fail',
      text: 'the loss at init is NaN/Inf',
      hint: 'check the data for NaN or huge values, and the init scale',
    });
  } else if (expected_loss > 0 && initial_loss > INITIAL_LOSS_LIMIT * expected_loss) {
    found.push({
      status: 'warn',
      text: `the loss at init is ${fmt(initial_loss)}, ${fmt(initial_loss / expected_loss)}× the chance level ${fmt(expected_loss)} (${expected_basis})`,
      hint: "the outputs are badly scaled at init: shrink the last layer's weights (so the initial prediction is diffuse) and check the init scale; for regression, standardise the targets or set the output bias to their mean",
    });
  }

  const status: CheckStatus = found.some((f) => f.status === 'fail') ? 'fail' : found.length ? 'warn' : 'pass';
  const growthText =
    details.act_std_growth !== null
      ? `, activation std ×${fmt(details.act_std_growth as number)} across the hidden layers`
      : '';
  const summary = found.length
    ? found.map((f) => f.text).join('; ')
    : `loss at init ${fmt(initial_loss)} vs chance ${fmt(expected_loss)} (${expected_basis})${growthText}`;
  return { name: 'init', status, summary, details, hints: [...new Set(found.map((f) => f.hint))] };
}
