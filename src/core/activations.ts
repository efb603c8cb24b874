/**
 * Activations as one table of {forward, derivative}, side by side (micrograd style).
 * Semantics and defaults follow torch.nn.functional: leaky_relu(negative_slope=0.01),
 * elu(alpha=1), gelu (exact erf form, approximate='none'), silu, softplus(beta=1,
 * threshold=20: linear above x*beta > threshold).
 * `k` is the activation's one parameter (negative_slope for leaky_relu, alpha for elu);
 * `derivative(x, y, k)` receives both the input x and the output y = forward(x, k).
 */
import type { ActivationName } from './spec.js';
import { erf } from './erf.js';

export interface Activation {
  forward(x: number, k: number): number;
  derivative(x: number, y: number, k: number): number;
  /** default for k */
  k: number;
  /** true when exact zeros in the output mean "dead" units (ReLU family) */
  rectifier: boolean;
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export const ACTIVATIONS: Record<ActivationName, Activation> = {
  identity: { k: 0, rectifier: false, forward: (x) => x, derivative: () => 1 },
  relu: { k: 0, rectifier: true, forward: (x) => (x > 0 ? x : 0), derivative: (x) => (x > 0 ? 1 : 0) },
  leaky_relu: {
    k: 0.01,
    rectifier: false,
    forward: (x, k) => (x > 0 ? x : k * x),
    derivative: (x, _y, k) => (x > 0 ? 1 : k),
  },
  elu: {
    k: 1,
    rectifier: false,
    forward: (x, k) => (x > 0 ? x : k * Math.expm1(x)),
    derivative: (x, y, k) => (x > 0 ? 1 : y + k),
  },
  gelu: {
    k: 0,
    rectifier: false,
    forward: (x) => 0.5 * x * (1 + erf(x * INV_SQRT2)),
    derivative: (x) => 0.5 * (1 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  },
  silu: {
    k: 0,
    rectifier: false,
    forward: (x) => x * sigmoid(x),
    derivative: (x) => {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    },
  },
  tanh: { k: 0, rectifier: false, forward: (x) => Math.tanh(x), derivative: (_x, y) => 1 - y * y },
  sigmoid: { k: 0, rectifier: false, forward: (x) => sigmoid(x), derivative: (_x, y) => y * (1 - y) },
  softplus: {
    k: 0,
    rectifier: false,
    forward: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))),
    derivative: (x) => (x > 20 ? 1 : sigmoid(x)),
  },
};

export function activationNames(): ActivationName[] {
  return Object.keys(ACTIVATIONS) as ActivationName[];
}

/** y[i] = f(x[i]) for i < n */
export function activationForward(act: Activation, k: number, x: Float32Array, y: Float32Array, n: number): void {
  const f = act.forward;
  for (let i = 0; i < n; i++) y[i] = f(x[i], k);
}

/** dx[i] = dy[i] · f'(x[i]) for i < n (y = f(x) from the forward pass) */
export function activationBackward(
  act: Activation,
  k: number,
  x: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  n: number,
): void {
  const d = act.derivative;
  for (let i = 0; i < n; i++) dx[i] = dy[i] * d(x[i], y[i], k);
}
