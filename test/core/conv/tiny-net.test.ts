/**
 * 50 SGD steps of conv(1→4, k3, pad 1) → relu → maxpool 2 → flatten → linear(64→3) with mean cross-entropy,
 * composed by hand from the kernels (linear via backend.gemm as dense.ts does it), against PyTorch 1.13
 * (test/fixtures/conv/tiny_net.json from generate.py: same initial weights, batches and lr) on every backend.
 * Losses and final weights within 1e-5 relative: rounding differences compound over the steps, so not bit-for-bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/core/types.js';
import { conv2dGeometry, pool2dGeometry } from '../../../src/core/conv/geometry.js';
import { createConv2d } from '../../../src/core/conv/conv2d.js';
import { createMaxPool2d } from '../../../src/core/conv/pool.js';
import { BACKENDS, expectClose, fixture, load, type Tensor } from './helpers.js';

interface TinyNet {
  torch: string;
  lr: number;
  steps: number;
  init: Record<string, Tensor>;
  final: Record<string, Tensor>;
  batches: { x: Tensor; y: number[] }[];
  losses: number[];
}
const net = fixture<TinyNet>('tiny_net.json');
const N = 8,
  CLASSES = 3,
  FEAT = 64;

function train(be: Backend): { losses: number[]; params: Record<string, Float32Array> } {
  const cg = conv2dGeometry({ in: { channels: 1, height: 8, width: 8 }, out_channels: 4, kernel_size: 3, padding: 1 });
  const pg = pool2dGeometry({ in: { channels: 4, height: 8, width: 8 }, kernel_size: 2 });
  if (!cg.ok || !pg.ok) throw new Error('geometry');
  const conv = createConv2d(be, cg.geometry, N, { needsInputGrad: false });
  const pool = createMaxPool2d(be, pg.geometry, N, { needsInputGrad: true });
  const p = Object.fromEntries(Object.entries(net.init).map(([k, t]) => [k, load(be, t)]));
  const g = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, be.alloc(v.length)]));
  const act = be.alloc(N * 256),
    dact = be.alloc(N * 256);
  const logits = be.alloc(N * CLASSES),
    dlogits = be.alloc(N * CLASSES);
  const dfeat = be.alloc(N * FEAT);
  const xs = net.batches.map((b) => load(be, b.x));
  const losses: number[] = [];
  for (let step = 0; step < net.steps; step++) {
    const bi = step % xs.length,
      labels = net.batches[bi].y;
    const z = conv.forward(xs[bi], N, p['conv.weight'], p['conv.bias']);
    for (let i = 0; i < N * 256; i++) act[i] = z[i] > 0 ? z[i] : 0;
    const feat = pool.forward(act, N); // rows of [4, 4, 4] = flatten's 64 features in torch's order
    be.gemm(false, true, N, CLASSES, FEAT, feat, p['linear.weight'], logits, false);
    let loss = 0;
    for (let r = 0; r < N; r++) {
      const o = r * CLASSES;
      for (let j = 0; j < CLASSES; j++) logits[o + j] += p['linear.bias'][j];
      const m = Math.max(...logits.subarray(o, o + CLASSES));
      let s = 0;
      for (let j = 0; j < CLASSES; j++) s += Math.exp(logits[o + j] - m);
      loss += (Math.log(s) + m - logits[o + labels[r]]) / N;
      for (let j = 0; j < CLASSES; j++) {
        dlogits[o + j] = (Math.exp(logits[o + j] - m) / s - (j === labels[r] ? 1 : 0)) / N;
      }
    }
    losses.push(loss);
    be.gemm(true, false, CLASSES, FEAT, N, dlogits, feat, g['linear.weight'], false);
    for (let j = 0; j < CLASSES; j++) {
      let s = 0;
      for (let r = 0; r < N; r++) s += dlogits[r * CLASSES + j];
      g['linear.bias'][j] = s;
    }
    be.gemm(false, false, N, FEAT, CLASSES, dlogits, p['linear.weight'], dfeat, false);
    const da = pool.backward(dfeat, N)!;
    for (let i = 0; i < N * 256; i++) dact[i] = z[i] > 0 ? da[i] : 0;
    conv.backward(dact, N, p['conv.weight'], g['conv.weight'], g['conv.bias']);
    for (const k of Object.keys(p)) for (let i = 0; i < p[k].length; i++) p[k][i] -= net.lr * g[k][i];
  }
  return { losses, params: p };
}

it('the tiny-net fixture comes from PyTorch 1.13 and its loss moves', () => {
  expect(net.torch).toMatch(/^1\.13/);
  expect(net.losses).toHaveLength(50);
  expect(net.losses[45]).toBeLessThan(net.losses[0]);
});

for (const bc of BACKENDS) {
  describe.skipIf(bc.skip)(`50 SGD steps of a tiny conv net against PyTorch (${bc.label})`, () => {
    let be: Backend;
    beforeAll(() => {
      be = bc.make();
    });
    it('losses of every step and the final weights within 1e-5 relative', () => {
      const { losses, params } = train(be);
      expectClose(losses, { shape: [50], data: net.losses }, 'loss');
      for (const [k, t] of Object.entries(net.final)) expectClose(params[k], t, k);
    });
  });
}
