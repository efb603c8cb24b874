/**
 * Finite-difference gradient checks for every layer: L = Σ y ⊙ R (R random, float64 sum),
 * so dL/dy = R; backward(R) must give dL/dx and dL/dθ for every parameter θ.
 */
import { describe, expect, it } from 'vitest';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createRng, type Rng } from '../../../src/core/rng.js';
import type { BuildContext, Layer } from '../../../src/core/layers/layer.js';
import { createDense } from '../../../src/core/layers/dense.js';
import { createActivationLayer } from '../../../src/core/layers/activation.js';
import { createBatchNorm } from '../../../src/core/layers/batchnorm.js';
import { createLayerNorm } from '../../../src/core/layers/layernorm.js';
import { createDropout } from '../../../src/core/layers/dropout.js';
import { createResidual } from '../../../src/core/layers/residual.js';
import type { ActivationName } from '../../../src/core/spec.js';
import { dot, numericGrad, relError } from '../gradcheck.js';

const TOL = 5e-3;

function ctx(seed = 1, capacity = 5): BuildContext {
  const root = createRng(seed);
  return { backend: createScalarBackend(), capacity, initRng: root.fork('init'), dropoutRng: root.fork('dropout') };
}

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** relative errors of dx and every param grad; `before` runs before each forward (e.g. to replay dropout masks) */
function checkLayer(
  layer: Layer,
  rows: number,
  opts: { eps?: number; x?: Float32Array; before?: () => void; scaleAnalytic?: number } = {},
) {
  const rng = createRng(99);
  const x = opts.x ?? randn(rng, rows * layer.inDim);
  const r = randn(rng, rows * layer.outDim);
  const before = opts.before ?? (() => {});
  const loss = (): number => {
    before();
    return dot(layer.forward(x, rows, true), r, rows * layer.outDim);
  };
  loss();
  const dx = layer.backward(r, rows);
  const s = opts.scaleAnalytic ?? 1;
  const analyticX = dx ? Array.from(dx.subarray(0, rows * layer.inDim), (v) => v * s) : null;
  const analyticP = layer.params.map((p) => Array.from(p.grad, (v) => v * s));
  const eps = opts.eps ?? 1e-2;
  const errs: Record<string, number> = {};
  if (analyticX) errs.x = relError(numericGrad(loss, x, eps), analyticX);
  layer.params.forEach((p, i) => {
    errs[p.name] = relError(numericGrad(loss, p.value, eps), analyticP[i]);
  });
  return errs;
}

const expectAllBelow = (errs: Record<string, number>, tol = TOL): void => {
  for (const [k, v] of Object.entries(errs)) expect(v, `${k} rel err`).toBeLessThan(tol);
};

describe('dense (nn.Linear + activation)', () => {
  const acts: ActivationName[] = ['identity', 'tanh', 'sigmoid', 'gelu', 'silu', 'softplus', 'elu', 'leaky_relu'];
  for (const a of acts) {
    it(`gradients with ${a}`, () => {
      const l = createDense(ctx(), 'd', 4, {
        units: 3,
        activation: a,
        init: { name: 'default' },
        bias: true,
        needsInputGrad: true,
      });
      expectAllBelow(checkLayer(l, 5));
    });
  }
  it('gradients with relu (inputs chosen so no pre-activation sits near the kink)', () => {
    const l = createDense(ctx(3), 'd', 3, {
      units: 4,
      activation: 'relu',
      init: { name: 'default' },
      bias: true,
      needsInputGrad: true,
    });
    const x = randn(createRng(99), 15);
    const z = l.forward(x, 5, true);
    // nudge the bias so every |z| > 0.05 (finite differences use eps 1e-3 here)
    let ok = false;
    for (let t = 0; t < 50 && !ok; t++) {
      ok = true;
      for (let i = 0; i < 20; i++) if (Math.abs(z[i]) < 0.05) ok = false;
      if (!ok) {
        l.params[1].value[t % 4] += 0.1;
        l.forward(x, 5, true);
      }
    }
    expect(ok).toBe(true);
    expectAllBelow(checkLayer(l, 5, { eps: 1e-3 }), 1e-2);
  });
  it('without bias; first layer returns no input gradient', () => {
    const l = createDense(ctx(), 'd', 4, {
      units: 2,
      activation: 'tanh',
      init: { name: 'xavier_normal' },
      bias: false,
      needsInputGrad: false,
    });
    expect(l.params.map((p) => p.name)).toEqual(['d.weight']);
    const errs = checkLayer(l, 5);
    expect(errs.x).toBeUndefined();
    expectAllBelow(errs);
  });
  it('y = x·Wᵀ + b with W stored out×in', () => {
    const l = createDense(ctx(), 'd', 2, {
      units: 2,
      activation: 'identity',
      init: { name: 'zeros' },
      bias: true,
      needsInputGrad: true,
    });
    l.params[0].value.set([1, 2, 3, 4]); // W = [[1, 2], [3, 4]]
    l.params[1].value.set([10, 20]);
    const y = l.forward(Float32Array.of(1, 1, 0, 0, 0, 0, 0, 0, 0, 0), 1, true);
    expect(Array.from(y.subarray(0, 2))).toEqual([13, 27]);
  });
  it('the checker rejects a gradient that is off by 5%', () => {
    const l = createDense(ctx(), 'd', 4, {
      units: 3,
      activation: 'tanh',
      init: { name: 'default' },
      bias: true,
      needsInputGrad: true,
    });
    const errs = checkLayer(l, 5, { scaleAnalytic: 1.05 });
    for (const v of Object.values(errs)) expect(v).toBeGreaterThan(TOL);
  });
});

describe('activation layer', () => {
  for (const a of ['tanh', 'gelu', 'softplus', 'sigmoid'] as ActivationName[]) {
    it(a, () => expectAllBelow(checkLayer(createActivationLayer(ctx(), 'a', 6, a), 4)));
  }
});

describe('batchnorm (BatchNorm1d, train mode)', () => {
  it('gradients w.r.t. x, weight and bias', () => {
    const l = createBatchNorm(ctx(), 'bn', 3, 0.1, 1e-5);
    const rng = createRng(5);
    l.params[0].value.set(randn(rng, 3, 1).map((v) => 1 + 0.5 * v));
    l.params[1].value.set(randn(rng, 3, 0.5));
    expectAllBelow(checkLayer(l, 5, { eps: 1e-2, x: randn(createRng(8), 15, 2) }));
  });
  it('running stats: momentum 0.1 with the unbiased variance; eval uses them', () => {
    const l = createBatchNorm(ctx(1, 4), 'bn', 1, 0.1, 1e-5);
    const x = Float32Array.of(1, 2, 3, 6); // mean 3, biased var 3.5, unbiased 14/3
    const y = l.forward(x, 4, true);
    expect(y[0]).toBeCloseTo((1 - 3) / Math.sqrt(3.5 + 1e-5), 5);
    expect(l.buffers[0][0]).toBeCloseTo(0.3, 6);
    expect(l.buffers[1][0]).toBeCloseTo(0.9 + 0.1 * (14 / 3), 6);
    const ye = l.forward(x, 4, false);
    expect(ye[3]).toBeCloseTo((6 - 0.3) / Math.sqrt(0.9 + (0.1 * 14) / 3 + 1e-5), 5);
  });
  it('does not write non-finite batch statistics into the running stats', () => {
    const l = createBatchNorm(ctx(1, 2), 'bn', 1, 0.1, 1e-5);
    l.forward(Float32Array.of(NaN, 1), 2, true);
    expect(l.buffers[0][0]).toBe(0);
    expect(l.buffers[1][0]).toBe(1);
  });
  it('refuses a single-row training batch like torch', () => {
    const l = createBatchNorm(ctx(), 'bn', 2, 0.1, 1e-5);
    expect(() => l.forward(new Float32Array(2), 1, true)).toThrow(/more than 1 value/);
  });
});

describe('layernorm', () => {
  it('gradients w.r.t. x, weight and bias', () => {
    const l = createLayerNorm(ctx(), 'ln', 4, 1e-5);
    const rng = createRng(6);
    l.params[0].value.set(randn(rng, 4).map((v) => 1 + 0.5 * v));
    l.params[1].value.set(randn(rng, 4, 0.5));
    expectAllBelow(checkLayer(l, 3, { x: randn(createRng(9), 12, 2) }));
  });
  it('normalises each row', () => {
    const l = createLayerNorm(ctx(), 'ln', 4, 0);
    const y = l.forward(Float32Array.of(1, 2, 3, 4, 0, 0, 0, 0), 1, true);
    const m = (y[0] + y[1] + y[2] + y[3]) / 4;
    const v = (y[0] ** 2 + y[1] ** 2 + y[2] ** 2 + y[3] ** 2) / 4 - m * m;
    expect(m).toBeCloseTo(0, 6);
    expect(v).toBeCloseTo(1, 5);
  });
});

describe('dropout', () => {
  it('gradient check with a replayed mask', () => {
    // a stub stream that replays the same uniforms before every forward
    let seq = createRng(3);
    const replay: Rng = { ...seq, next: () => seq.next() };
    const c = ctx();
    const l = createDropout({ ...c, dropoutRng: replay }, 'drop', 6, 0.5);
    expectAllBelow(
      checkLayer(l, 4, {
        before: () => {
          seq = createRng(3);
        },
      }),
    );
  });
  it('inverted scaling, rate ≈ p, identity in eval', () => {
    const c = ctx(1, 200);
    const l = createDropout(c, 'drop', 50, 0.3);
    const x = new Float32Array(200 * 50).fill(1);
    const y = l.forward(x, 200, true);
    let zeros = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.7, 6);
    }
    expect(Math.abs(zeros / y.length - 0.3)).toBeLessThan(0.02);
    const ye = l.forward(x, 200, false);
    expect(ye.every((v) => v === 1)).toBe(true);
  });
});

describe('residual', () => {
  it('y = x + f(x): gradients through the block', () => {
    const c = ctx();
    const inner = [
      createDense(c, 'r.layers.0', 3, {
        units: 5,
        activation: 'tanh',
        init: { name: 'default' },
        bias: true,
        needsInputGrad: true,
      }),
      createDense(c, 'r.layers.1', 5, {
        units: 3,
        activation: 'identity',
        init: { name: 'default' },
        bias: true,
        needsInputGrad: true,
      }),
    ];
    const l = createResidual(c, 'r', 3, inner);
    const errs = checkLayer(l, 4);
    expect(errs.x).toBeLessThan(TOL);
    // params of the children, through the block
    const rng = createRng(99);
    const x = randn(rng, 12),
      r = randn(rng, 12);
    const loss = (): number => dot(l.forward(x, 4, true), r, 12);
    loss();
    l.backward(r, 4);
    for (const child of inner)
      for (const p of child.params) {
        const ana = Array.from(p.grad);
        expect(relError(numericGrad(loss, p.value, 1e-2), ana)).toBeLessThan(TOL);
      }
  });
  it('rejects a block that changes the dimension', () => {
    const c = ctx();
    const inner = [
      createDense(c, 'r.layers.0', 3, {
        units: 4,
        activation: 'relu',
        init: { name: 'default' },
        bias: true,
        needsInputGrad: true,
      }),
    ];
    expect(() => createResidual(c, 'r', 3, inner)).toThrow(/residual block maps 3 features to 4/);
  });
});
