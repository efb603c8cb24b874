/**
 * Weight initializers with torch.nn.init names and semantics
 * (pytorch/pytorch torch/nn/init.py: calculate_gain, _calculate_fan_in_and_fan_out,
 * _calculate_correct_fan, uniform_, normal_, constant_, zeros_, ones_, xavier_uniform_,
 * xavier_normal_, kaiming_uniform_, kaiming_normal_, orthogonal_, trunc_normal_) and
 * nn.Linear.reset_parameters for `default`.
 *
 * Every variance-scaling initializer is ONE function, `varianceScaling(w, rng, variance, dist)`:
 *   uniform → U(-√(3·var), √(3·var)),   normal → N(0, var).
 * The table below only says which variance each name asks for:
 *   xavier_*:        gain² · 2 / (fan_in + fan_out)
 *   kaiming_*:       gain(nonlinearity, a)² / fan        (fan = fan_in or fan_out by `mode`)
 *   default:         kaiming_uniform(a=√5) = (1/3) / fan_in   → bound 1/√fan_in
 * Weights are stored out×in like nn.Linear, so fan_in = in (columns), fan_out = out (rows).
 */
import type { InitSpec, InitName } from './spec.js';
import type { Rng } from './rng.js';
import { erfinv, normCdf } from './erf.js';
import { own } from './own.js';

/** torch.nn.init.calculate_gain */
export function calculateGain(nonlinearity: string, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'sigmoid':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param === undefined ? 0.01 : param;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`Unsupported nonlinearity ${nonlinearity}`);
  }
}

export interface Fans {
  fanIn: number;
  fanOut: number;
}

/** Fill w with U(-√(3·variance), √(3·variance)) or N(0, variance). */
export function varianceScaling(w: Float32Array, rng: Rng, variance: number, dist: 'uniform' | 'normal'): void {
  const std = Math.sqrt(variance);
  if (dist === 'uniform') fillUniform(w, rng, -Math.sqrt(3) * std, Math.sqrt(3) * std);
  else fillNormal(w, rng, 0, std);
}

export function fillUniform(w: Float32Array, rng: Rng, low: number, high: number): void {
  for (let i = 0; i < w.length; i++) w[i] = low + (high - low) * rng.next();
}

export function fillNormal(w: Float32Array, rng: Rng, mean: number, std: number): void {
  for (let i = 0; i < w.length; i++) w[i] = mean + std * rng.normal();
}

/** torch trunc_normal_: inverse-CDF sampling of N(mean, std²) truncated to [a, b] (absolute bounds). */
export function fillTruncNormal(w: Float32Array, rng: Rng, mean: number, std: number, a: number, b: number): void {
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  for (let i = 0; i < w.length; i++) {
    const p = 2 * l - 1 + (2 * u - 2 * l) * rng.next();
    let v = erfinv(p) * std * Math.SQRT2 + mean;
    if (v < a) v = a;
    if (v > b) v = b;
    w[i] = v;
  }
}

/**
 * torch orthogonal_: QR of a rows×cols N(0,1) matrix (transposed when rows < cols), Q's columns
 * multiplied by sign(diag(R)) so the result is unique, times gain. QR by modified Gram–Schmidt
 * in float64 (R's diagonal is positive by construction, so the sign fix is d = +1 except for the
 * degenerate zero column).
 */
export function fillOrthogonal(w: Float32Array, rng: Rng, rows: number, cols: number, gain: number): void {
  const tall = rows >= cols;
  const r = tall ? rows : cols; // matrix being factorised is r×c with r ≥ c
  const c = tall ? cols : rows;
  // column-major copy: q[j] is column j (length r)
  const q: Float64Array[] = [];
  const m = new Float64Array(r * c);
  for (let i = 0; i < r * c; i++) m[i] = rng.normal(); // m[i*c + j], row-major r×c
  for (let j = 0; j < c; j++) {
    const col = new Float64Array(r);
    for (let i = 0; i < r; i++) col[i] = m[i * c + j];
    q.push(col);
  }
  for (let j = 0; j < c; j++) {
    const v = q[j];
    for (let p = 0; p < j; p++) {
      const u = q[p];
      let dot = 0;
      for (let i = 0; i < r; i++) dot += u[i] * v[i];
      for (let i = 0; i < r; i++) v[i] -= dot * u[i];
    }
    let norm = 0;
    for (let i = 0; i < r; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    // R[j][j] = norm ≥ 0 → sign correction is +1 (torch: q *= sign(diag(r)))
    for (let i = 0; i < r; i++) v[i] = norm > 0 ? v[i] / norm : 0;
  }
  // write back: tall → w[i, j] = Q[i, j]; wide → w = Qᵀ, w[j, i] = Q[i, j]
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const val = gain * q[j][i];
      if (tall) w[i * cols + j] = val;
      else w[j * cols + i] = val;
    }
  }
}

interface InitCtx {
  w: Float32Array;
  rng: Rng;
  rows: number;
  cols: number;
  spec: InitSpec;
  fans: Fans;
}

/** kaiming's fan by mode (torch _calculate_correct_fan) */
const fanByMode = (spec: InitSpec, fans: Fans): number =>
  (spec.mode ?? 'fan_in') === 'fan_in' ? fans.fanIn : fans.fanOut;
/** kaiming's gain: calculate_gain(nonlinearity (default leaky_relu), a (default 0)) */
const kaimingGain = (spec: InitSpec): number => calculateGain(spec.nonlinearity ?? 'leaky_relu', spec.a ?? 0);
const xavierVar = (spec: InitSpec, f: Fans): number => ((spec.gain ?? 1) ** 2 * 2) / (f.fanIn + f.fanOut);
const kaimingVar = (spec: InitSpec, f: Fans): number => kaimingGain(spec) ** 2 / fanByMode(spec, f);

/** The [low, high] of uniform_ / trunc_normal_: explicit low/high, else torch's a/b, else the defaults. */
export function initBounds(spec: InitSpec, low: number, high: number): [number, number] {
  return [spec.low ?? spec.a ?? low, spec.high ?? spec.b ?? high];
}

/** name → how to fill a weight matrix (each line: the torch/nn/init.py function it follows) */
export const INITIALIZERS: Record<InitName, (c: InitCtx) => void> = {
  // uniform_(tensor, a=0, b=1): U(a, b)  (our low/high)
  uniform: (c) => fillUniform(c.w, c.rng, ...initBounds(c.spec, 0, 1)),
  // normal_(tensor, mean=0, std=1)
  normal: (c) => fillNormal(c.w, c.rng, c.spec.mean ?? 0, c.spec.std ?? 1),
  // constant_(tensor, val), zeros_, ones_
  constant: (c) => c.w.fill(c.spec.val ?? 0),
  zeros: (c) => c.w.fill(0),
  ones: (c) => c.w.fill(1),
  // xavier_uniform_(gain=1): bound = gain·√(6/(fan_in+fan_out)); xavier_normal_: std = gain·√(2/(fan_in+fan_out))
  xavier_uniform: (c) => varianceScaling(c.w, c.rng, xavierVar(c.spec, c.fans), 'uniform'),
  xavier_normal: (c) => varianceScaling(c.w, c.rng, xavierVar(c.spec, c.fans), 'normal'),
  // kaiming_uniform_(a=0, mode='fan_in', nonlinearity='leaky_relu'): bound = √3·gain/√fan; kaiming_normal_: std =
  // gain/√fan
  kaiming_uniform: (c) => varianceScaling(c.w, c.rng, kaimingVar(c.spec, c.fans), 'uniform'),
  kaiming_normal: (c) => varianceScaling(c.w, c.rng, kaimingVar(c.spec, c.fans), 'normal'),
  // orthogonal_(gain=1): Q of QR(normal matrix), sign-corrected by diag(R)
  orthogonal: (c) => fillOrthogonal(c.w, c.rng, c.rows, c.cols, c.spec.gain ?? 1),
  // trunc_normal_(mean=0, std=1, a=-2, b=2): inverse-CDF sampling, a/b absolute (our low/high)
  trunc_normal: (c) => fillTruncNormal(c.w, c.rng, c.spec.mean ?? 0, c.spec.std ?? 1, ...initBounds(c.spec, -2, 2)),
  // torch/nn/modules/linear.py Linear.reset_parameters: kaiming_uniform_(weight, a=√5) → variance (1/3)/fan_in
  default: (c) =>
    varianceScaling(c.w, c.rng, kaimingVar({ name: 'kaiming_uniform', a: Math.sqrt(5) }, c.fans), 'uniform'),
};

/**
 * Initialise a dense layer: weight (rows=out × cols=in) by `spec`; bias by nn.Linear's rule
 * U(±1/√fan_in) for `default`, zeros otherwise (the usual companion of a torch.nn.init call).
 */
export function initDense(
  spec: InitSpec,
  weight: Float32Array,
  bias: Float32Array | null,
  outDim: number,
  inDim: number,
  rng: Rng,
): void {
  const fill = own(INITIALIZERS, spec.name);
  if (!fill) throw new Error(`unknown initializer '${spec.name}'`);
  fill({ w: weight, rng, rows: outDim, cols: inDim, spec, fans: { fanIn: inDim, fanOut: outDim } });
  if (bias) {
    if (spec.name === 'default') {
      const bound = inDim > 0 ? 1 / Math.sqrt(inDim) : 0;
      fillUniform(bias, rng, -bound, bound);
    } else {
      bias.fill(0);
    }
  }
}

export function initNames(): InitName[] {
  return Object.keys(INITIALIZERS) as InitName[];
}
