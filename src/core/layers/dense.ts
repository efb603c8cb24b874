/**
 * Dense (torch nn.Linear) followed by an optional activation: z = x·Wᵀ + b, y = f(z).
 * W is stored out×in like torch. GEMMs go through backend.gemm:
 *   forward  z[n×out]  = x[n×in] · W[out×in]ᵀ         gemm(false, true)
 *   backward dW[out×in] = dz[n×out]ᵀ · x[n×in]         gemm(true, false)
 *            dx[n×in]  = dz[n×out] · W[out×in]         gemm(false, false)
 */
import type { ActivationName, InitSpec } from '../spec.js';
import { ACTIVATIONS, activationBackward, activationForward } from '../activations.js';
import { addBiasRows, sumRows } from '../kernels/elementwise.js';
import { initDense } from '../init.js';
import { makeParam, type BuildContext, type Layer } from './layer.js';
import type { FusedActivationName } from '../types.js';
import { FUSED_ACTIVATIONS } from '../kernels/contract.generated.js';
import { own } from '../own.js';
import { checkInit, resolveInit } from './init-check.js';
import { fieldDefault, isNum, isPosInt, needFlat, sizeOf, type LayerModule } from './module.js';

export interface DenseOptions {
  units: number;
  activation: ActivationName;
  init: InitSpec;
  bias: boolean;
  /** leaky_relu negative_slope / elu alpha (the activation's parameter) */
  k?: number;
  needsInputGrad: boolean;
}

export function createDense(ctx: BuildContext, name: string, inDim: number, o: DenseOptions): Layer {
  const { backend, capacity } = ctx;
  const out = o.units;
  const act = own(ACTIVATIONS, o.activation);
  if (!act) throw new Error(`unknown activation '${o.activation}'`);
  const k = o.k ?? act.k;
  const hasAct = o.activation !== 'identity';
  const W = makeParam(backend, `${name}.weight`, [out, inDim], true);
  const b = o.bias ? makeParam(backend, `${name}.bias`, [out], false) : null;
  initDense(o.init, W.value, b ? b.value : null, out, inDim, ctx.initRng);
  const z = backend.alloc(capacity * out);
  const y = hasAct ? backend.alloc(capacity * out) : z;
  const dz = hasAct ? backend.alloc(capacity * out) : null;
  const dx = o.needsInputGrad ? backend.alloc(capacity * inDim) : null;
  let input: Float32Array = z;
  // the backend's fused kernels cover bias + identity/relu/tanh/sigmoid (tanh/sigmoid in float32,
  // derivative from the output like the table); other activations, and the scalar backend, use
  // the JS table of activations.ts
  const fusedAct = fusedActivation(o.activation);
  const fused = backend.fused && fusedAct ? { kernels: backend.fused, act: fusedAct } : null;

  return {
    kind: 'dense',
    name,
    inDim,
    outDim: out,
    params: b ? [W, b] : [W],
    buffers: [],
    children: [],
    activation: o.activation,
    output: y,
    forward(x, rows) {
      input = x;
      backend.gemm(false, true, rows, out, inDim, x, W.value, z, false);
      if (fused) {
        fused.kernels.biasAct(z, y, b ? b.value : null, rows, out, fused.act);
        return y;
      }
      if (b) addBiasRows(z, b.value, rows, out);
      if (hasAct) activationForward(act, k, z, y, rows * out);
      return y;
    },
    backward(dy, rows) {
      let g = dy;
      if (dz) {
        if (fused) fused.kernels.actBackward(dy, z, dz, rows * out, fused.act);
        else activationBackward(act, k, z, y, dy, dz, rows * out);
        g = dz;
      }
      backend.gemm(true, false, out, inDim, rows, g, input, W.grad, false);
      if (b) {
        if (fused) fused.kernels.sumRows(g, b.grad, rows, out);
        else sumRows(g, b.grad, rows, out);
      }
      if (!dx) return null;
      backend.gemm(false, false, rows, inDim, out, g, W.value, dx, false);
      return dx;
    },
  };
}

/** The activation's name in the fused kernels, or null when they do not implement it. */
/** the activation when the backend's fused kernels implement it (the manifest's list), else null */
function fusedActivation(a: ActivationName): FusedActivationName | null {
  return isFused(a) ? a : null;
}

const isFused = (a: string): a is FusedActivationName => (FUSED_ACTIVATIONS as readonly string[]).includes(a);

export interface DenseSpec {
  type: 'dense';
  units: number;
  activation: ActivationName;
  init: InitSpec;
  bias: boolean;
  /** leaky_relu negative_slope / elu alpha (core callers only; not on the wire) */
  negative_slope?: number;
  alpha?: number;
}

const FIELDS = {
  units: { kind: 'integer', minimum: 1, maximum: 4096 },
  activation: { kind: 'activationName', optional: true, default: 'identity' },
  init: { kind: 'init', optional: true, default: 'default' },
  bias: { kind: 'boolean', optional: true, default: true },
} as const;

/** the activation's parameter (leaky_relu negative_slope / elu alpha) */
function activationParam(l: DenseSpec): number | undefined {
  if (l.activation === 'leaky_relu') return l.negative_slope;
  if (l.activation === 'elu') return l.alpha;
  return undefined;
}

const params = (s: DenseSpec, input: readonly number[]): number => sizeOf(input) * s.units + (s.bias ? s.units : 0);

/** nn.Linear(in, units, bias) + activation: P = in·units (+ units); y is [units]. */
export const dense: LayerModule<DenseSpec> = {
  type: 'dense',
  fields: FIELDS,
  widthField: 'units',
  resolve: (raw) => ({
    type: 'dense',
    units: raw.units as number,
    activation: (raw.activation as ActivationName | undefined) ?? FIELDS.activation.default,
    init: resolveInit(raw.init, { name: fieldDefault(FIELDS, 'init') }),
    bias: (raw.bias as boolean | undefined) ?? FIELDS.bias.default,
  }),
  validate(s, input, { path: p, out }) {
    needFlat('dense', input, { path: p, out });
    if (!isPosInt(s.units))
      out.push({
        path: `${p}/units`,
        message: `units must be a positive integer, got ${JSON.stringify(s.units)}`,
      });
    if (!Object.hasOwn(ACTIVATIONS, s.activation)) {
      out.push({
        path: `${p}/activation`,
        message: `unknown activation '${s.activation}'; expected one of ${Object.keys(ACTIVATIONS).join(', ')}`,
      });
    }
    checkInit(s.init, `${p}/init`, out);
    if (s.negative_slope !== undefined && !isNum(s.negative_slope))
      out.push({
        path: `${p}/negative_slope`,
        message: 'negative_slope must be a finite number',
      });
    if (s.alpha !== undefined && !isNum(s.alpha))
      out.push({
        path: `${p}/alpha`,
        message: 'alpha must be a finite number',
      });
    return isPosInt(s.units) ? [s.units] : input;
  },
  output: (s) => [s.units],
  params,
  flops: (s, input) => 6 * params(s, input),
  memory(s, input, { rows, needsInputGrad }) {
    const buffers: [number, number][] = [[rows * s.units, s.activation !== 'identity' ? 3 : 1]];
    if (needsInputGrad) buffers.push([rows * sizeOf(input), 1]);
    return { params: s.bias ? [s.units * sizeOf(input), s.units] : [s.units * sizeOf(input)], buffers };
  },
  build: (ctx, s, input, o) =>
    createDense(ctx, o.name, sizeOf(input), {
      units: s.units,
      activation: s.activation,
      init: s.init,
      bias: s.bias,
      k: activationParam(s),
      needsInputGrad: o.needsInputGrad,
    }),
  stats: { params: true, stats: true, weights: true },
};
