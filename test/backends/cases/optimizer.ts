/**
 * The fused optimizer steps against PyTorch's formulas evaluated in float64 (reference.ts:
 * adamReference, sgdReference): several steps over n with a tail, every option, and a worked first
 * Adam step. A backend keeps its state in float32, so the bound is float32 rounding growing over steps.
 */
import { expect } from 'vitest';
import {
  adamReference,
  fill,
  maxAbs,
  maxRelError,
  seeded,
  sgdReference,
  type AdamRefOptions,
  type SgdRefOptions,
} from '../reference.js';
import type { KernelCase } from './case.js';

const ADAM: [string, AdamRefOptions][] = [
  ['Adam', { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, decoupled: false }],
  ['Adam + L2 weight decay', { beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.1, decoupled: false }],
  ['AdamW', { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, decoupled: true }],
];

export const ADAM_CASES: KernelCase[] = [
  ...ADAM.map(([label, o]): KernelCase => ({
    name: `${label}: 5 steps over n = 1031 within float32 rounding of torch's formula`,
    run(k) {
      const n = 1031,
        lr = 1e-2,
        next = seeded(59);
      const p = fill(k.alloc(n), next),
        m = k.alloc(n),
        v = k.alloc(n);
      const pr = Float64Array.from(p),
        mr = new Float64Array(n),
        vr = new Float64Array(n);
      for (let t = 1; t <= 5; t++) {
        const g = fill(k.alloc(n), next, 0.1);
        k.adam(p, g, m, v, n, lr, t, o);
        adamReference(pr, g, mr, vr, lr, t, o);
      }
      // relative error, floored at 1% of the moment's scale (cancellation near 0) and at lr for p
      expect(maxRelError(m, mr, 1e-2 * maxAbs(mr))).toBeLessThan(1e-5);
      expect(maxRelError(v, vr, 1e-2 * maxAbs(vr))).toBeLessThan(1e-5);
      expect(maxRelError(p, pr, lr)).toBeLessThan(1e-5);
      expect(Array.from(m).filter((x) => x === 0).length, 'every moment moved').toBe(0);
    },
  })),
  {
    name: 'first step by hand: each weight moves by lr·sign(g) (m̂/√v̂ = ±1 with eps = 0); n = 0 does nothing',
    run(k) {
      const n = 9,
        p = k.alloc(n),
        g = k.alloc(n),
        m = k.alloc(n),
        v = k.alloc(n);
      g.set([1, -2, 3, -4, 5, -6, 7, -8, 9]);
      k.adam(p, g, m, v, n, 0.5, 1, { beta1: 0.9, beta2: 0.999, eps: 0, weight_decay: 0, decoupled: false });
      Array.from(g).forEach((x, i) => expect(p[i]).toBeCloseTo(x > 0 ? -0.5 : 0.5, 6));
      const before = p.slice();
      k.adam(p, g, m, v, 0, 0.5, 2, { beta1: 0.9, beta2: 0.999, eps: 0, weight_decay: 0, decoupled: false });
      expect(Array.from(p)).toEqual(Array.from(before));
    },
  },
];

const SGD: SgdRefOptions[] = [
  { momentum: 0.9, dampening: 0, nesterov: true, weight_decay: 1e-3 },
  { momentum: 0.5, dampening: 0.1, nesterov: false, weight_decay: 0 },
  { momentum: 0, dampening: 0, nesterov: false, weight_decay: 0.01 },
];

export const SGD_CASES: KernelCase[] = SGD.map((o): KernelCase => ({
  name:
    `momentum ${o.momentum}, dampening ${o.dampening}, nesterov ${o.nesterov}, weight decay ${o.weight_decay}: ` +
    "20 steps over n = 1003 within float32 rounding of torch's formula",
  run(k) {
    const n = 1003,
      lr = 0.05,
      next = seeded(61);
    const p = fill(k.alloc(n), next),
      buf = k.alloc(n);
    const pr = Float64Array.from(p),
      br = new Float64Array(n);
    for (let t = 1; t <= 20; t++) {
      const g = fill(k.alloc(n), next);
      k.sgd!(p, g, buf, n, lr, o, t === 1);
      sgdReference(pr, g, br, lr, o, t === 1);
    }
    expect(maxRelError(p, pr, 1)).toBeLessThan(1e-5);
  },
}));
