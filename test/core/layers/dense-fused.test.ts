/**
 * Dense layers with tanh / sigmoid on the SIMD backend run the fused float32 kernels
 * (biasAct / actBackward: tanh ≤ 4e-7 from Math.tanh, sigmoid = ½ + ½·tanh(x/2)); the scalar
 * backend keeps the JS table of activations.ts. Checked here:
 *  - the layer really takes the fused path (spy on the kernels), the scalar backend has none;
 *  - the fused derivative follows the table's convention (tanh' = 1 − y², sigmoid' = y(1 − y)
 *    from the output): same gradients as the scalar layer, and finite differences of the SIMD
 *    layer's own (approximate) forward agree with its backward;
 *  - a trainer on SIMD tracks the scalar trainer's losses over 50 Adam steps, and is bit-for-bit
 *    reproducible for a seed.
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../../src/core/trainer.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createSimdBackend, type SimdBackend } from '../../../src/core/kernels/simd.js';
import { createDense } from '../../../src/core/layers/dense.js';
import { createRng } from '../../../src/core/rng.js';
import type { Backend, FusedKernels } from '../../../src/core/types.js';
import type { LayerSpec, OptimizerSpec, TrainSpec } from '../../../src/core/spec.js';
import { dot, numericGrad, relError } from '../gradcheck.js';

const ACTS = ['tanh', 'sigmoid'] as const;
type Act = (typeof ACTS)[number];

/** a SIMD backend whose biasAct / actBackward calls are recorded (then forwarded unchanged) */
function spiedSimd(capacity = 1 << 20): { backend: Backend; calls: string[] } {
  const be: SimdBackend = createSimdBackend(capacity);
  const calls: string[] = [];
  const f = be.fused;
  const fused: FusedKernels = {
    ...f,
    biasAct(z, y, bias, rows, cols, act) {
      calls.push(`biasAct:${act}`);
      f.biasAct(z, y, bias, rows, cols, act);
    },
    actBackward(dy, z, dz, n, act) {
      calls.push(`actBackward:${act}`);
      f.actBackward(dy, z, dz, n, act);
    },
  };
  return { backend: { name: 'simd', alloc: be.alloc, gemm: be.gemm, fused }, calls };
}

const ROWS = 7,
  IN = 5,
  OUT = 6; // OUT = 6: one SIMD vector + a 2-float scalar tail per row

/** a dense layer with default (torch) init from a fixed seed, and an input/upstream gradient from another */
function layerOn(backend: Backend, act: Act) {
  const root = createRng(11);
  const layer = createDense(
    { backend, capacity: ROWS, initRng: root.fork('init'), dropoutRng: root.fork('dropout') },
    'd',
    IN,
    { units: OUT, activation: act, init: { name: 'default' }, bias: true, needsInputGrad: true },
  );
  // inputs of scale 3 put pre-activations over ~[-4, 4]: the curved part of tanh and sigmoid
  const rng = createRng(5);
  const x = backend.alloc(ROWS * IN),
    dy = backend.alloc(ROWS * OUT);
  for (let i = 0; i < x.length; i++) x[i] = 3 * rng.normal();
  for (let i = 0; i < dy.length; i++) dy[i] = rng.normal();
  return { layer, x, dy };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('dense tanh / sigmoid on the SIMD backend (fused kernels)', () => {
  for (const act of ACTS) {
    it(`${act}: forward and backward go through biasAct / actBackward; the scalar backend has no fused kernels`, () => {
      const { backend, calls } = spiedSimd();
      const { layer, x, dy } = layerOn(backend, act);
      layer.forward(x, ROWS, true);
      layer.backward(dy, ROWS);
      expect(calls).toEqual([`biasAct:${act}`, `actBackward:${act}`]);
      expect(createScalarBackend().fused).toBeUndefined();
    });

    it(`${act}: output within 1e-6 and gradients (dx, dW, db) within 1e-5 relative of the scalar layer`, () => {
      const s = layerOn(createScalarBackend(), act),
        v = layerOn(createSimdBackend(1 << 16), act);
      expect(Array.from(v.layer.params[0].value)).toEqual(Array.from(s.layer.params[0].value)); // same init
      const ys = s.layer.forward(s.x, ROWS, true),
        yv = v.layer.forward(v.x, ROWS, true);
      expect(maxAbsDiff(ys, yv, ROWS * OUT)).toBeLessThan(1e-6);
      const dxs = s.layer.backward(s.dy, ROWS)!,
        dxv = v.layer.backward(v.dy, ROWS)!;
      // a derivative taken from z instead of y (1 − z², z(1 − z)) or a wrong sign would be O(1) off
      expect(relError(dxs.subarray(0, ROWS * IN), dxv.subarray(0, ROWS * IN))).toBeLessThan(1e-5);
      s.layer.params.forEach((p, i) => expect(relError(p.grad, v.layer.params[i].grad), p.name).toBeLessThan(1e-5));
    });

    it(`${act}: finite differences of the SIMD layer's forward match its backward`, () => {
      const { layer, x, dy } = layerOn(createSimdBackend(1 << 16), act);
      // L = Σ y ⊙ dy (float64), so dL/dy = dy
      const loss = (): number => dot(layer.forward(x, ROWS, true), dy, ROWS * OUT);
      loss();
      const dx = Array.from(layer.backward(dy, ROWS)!.subarray(0, ROWS * IN));
      const grads = layer.params.map((p) => Array.from(p.grad));
      expect(relError(numericGrad(loss, x, 1e-2), dx), 'x').toBeLessThan(5e-3);
      layer.params.forEach((p, i) =>
        expect(relError(numericGrad(loss, p.value, 1e-2), grads[i]), p.name).toBeLessThan(5e-3),
      );
    });
  }
});

const adam: OptimizerSpec = {
  type: 'adam',
  lr: 1e-2,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weight_decay: 0,
  betas: [0.9, 0.999],
  eps: 1e-8,
  amsgrad: false,
  alpha: 0.99,
  centered: false,
  lr_decay: 0,
  initial_accumulator_value: 0,
};
const dense = (units: number, activation: 'tanh' | 'sigmoid' | 'identity'): LayerSpec => ({
  type: 'dense',
  units,
  activation,
  init: { name: 'default' },
  bias: true,
});

function mlp(act: Act, seed: number): TrainSpec {
  return {
    model: { layers: [dense(32, act), dense(32, act), dense(3, 'identity')] },
    data: {
      source: 'builtin' as const,
      name: 'spirals',
      n_samples: 300,
      noise: 0.2,
      seed: 0,
      val_fraction: 0.2,
      standardize: true,
      classes: 3,
    },
    loss: { name: 'cross_entropy' },
    optimizer: adam,
    batch_size: 32,
    clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
    seed,
  };
}

function train(spec: TrainSpec, backend: Backend, steps = 50) {
  const t = createTrainer(spec, { backend });
  const losses = Array.from({ length: steps }, () => t.step(1e-2).loss);
  return { losses, val: t.evaluate('val').loss };
}

describe('trainer with tanh / sigmoid MLPs: SIMD (fused) vs scalar', () => {
  for (const act of ACTS) {
    it(`${act} 2-32-32-3, Adam 1e-2, 50 steps: every loss within 1e-5 relative of the scalar backend's`, () => {
      const { backend, calls } = spiedSimd();
      const v = train(mlp(act, 3), backend),
        s = train(mlp(act, 3), createScalarBackend());
      expect(calls).toContain(`biasAct:${act}`);
      expect(calls).toContain(`actBackward:${act}`);
      // float32 kernels vs float64 Math.tanh/exp rounded to float32: observed ≤ 7e-8 relative
      s.losses.forEach((l, i) => expect(Math.abs(v.losses[i] - l) / l, `step ${i}`).toBeLessThan(1e-5));
      expect(Math.abs(v.val - s.val) / s.val).toBeLessThan(1e-5);
      // it did train: the comparison is not of 50 constant losses
      expect(s.losses[49]).toBeLessThan(0.95 * s.losses[0]);
    });

    it(`${act}: same seed → bit-identical losses on the SIMD backend; another seed → different ones`, () => {
      const a = train(mlp(act, 7), createSimdBackend(1 << 20)).losses;
      const b = train(mlp(act, 7), createSimdBackend(1 << 20)).losses;
      expect(b).toEqual(a);
      expect(b.every((l, i) => Object.is(l, a[i]))).toBe(true);
      expect(train(mlp(act, 8), createSimdBackend(1 << 20)).losses).not.toEqual(a);
    });
  }
});
