/**
 * The conv and pooling kernels against PyTorch 1.13 (test/fixtures/conv/generate.py) on every backend.
 * Max and average pooling are bit-for-bit: selection, float32 sums and divisions in torch's order
 * (src/core/conv/pool.ts); global average pooling's forward is within 1e-5 (torch sums with mean's
 * vectorised order), its backward bit-for-bit.
 * conv2d is within 1e-5 relative (helpers.ts expectClose): its sums run in each backend's GEMM order, not
 * oneDNN's/OpenBLAS's, so bit equality is not to be had. Each case runs once in one chunk of rows and once
 * in chunks of one row (so the backward's recomputed im2col and the dW accumulation over chunks are used).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/core/types.js';
import { conv2dGeometry, pool2dGeometry, type Pair } from '../../../src/core/conv/geometry.js';
import { createConv2d } from '../../../src/core/conv/conv2d.js';
import { createAvgPool2d, createGlobalAvgPool, createMaxPool2d } from '../../../src/core/conv/pool.js';
import { BACKENDS, expectClose, expectExact, fixture, load, type Tensor } from './helpers.js';

interface ConvCase {
  name: string;
  in: [number, number, number];
  out_channels: number;
  kernel_size: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  x: Tensor;
  weight: Tensor;
  bias: Tensor;
  y: Tensor;
  dy: Tensor;
  dx: Tensor;
  dweight: Tensor;
  dbias: Tensor;
}
interface PoolCase {
  name: string;
  kind: 'max' | 'avg' | 'global_avg';
  in: [number, number, number];
  kernel_size?: Pair;
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  count_include_pad?: boolean;
  x: Tensor;
  y: Tensor;
  dy: Tensor;
  dx: Tensor;
}

const convCases = fixture<{ torch: string; cases: ConvCase[] }>('conv2d.json');
const poolCases = fixture<{ torch: string; cases: PoolCase[] }>('pool.json');
const shape = (s: [number, number, number]) => ({ channels: s[0], height: s[1], width: s[2] });

it('the fixtures come from PyTorch 1.13', () => {
  expect(convCases.torch).toMatch(/^1\.13/);
  expect(poolCases.torch).toMatch(/^1\.13/);
});

for (const bc of BACKENDS) {
  describe.skipIf(bc.skip)(`conv2d against PyTorch (${bc.label})`, () => {
    let be: Backend;
    beforeAll(() => {
      be = bc.make();
    });
    for (const c of convCases.cases) {
      for (const chunkRows of [undefined, 1]) {
        it(`${c.name}${chunkRows ? ', one row per chunk' : ''}`, () => {
          const g = conv2dGeometry({
            in: shape(c.in),
            out_channels: c.out_channels,
            kernel_size: c.kernel_size,
            stride: c.stride,
            padding: c.padding,
            dilation: c.dilation,
          });
          if (!g.ok) throw new Error(g.problem);
          expect([g.geometry.outC, g.geometry.outH, g.geometry.outW]).toEqual(c.y.shape.slice(1));
          const rows = c.x.shape[0];
          const k = createConv2d(be, g.geometry, rows + 2, { needsInputGrad: true, chunkRows });
          const w = load(be, c.weight),
            b = load(be, c.bias);
          const dw = be.alloc(w.length),
            db = be.alloc(b.length);
          const y = k.forward(load(be, c.x), rows, w, b);
          expectClose(y, c.y, 'y');
          const dx = k.backward(load(be, c.dy), rows, w, dw, db);
          expectClose(dx!, c.dx, 'dx');
          expectClose(dw, c.dweight, 'dweight');
          expectClose(db, c.dbias, 'dbias');
        });
      }
    }
  });

  describe.skipIf(bc.skip)(`pooling against PyTorch (${bc.label})`, () => {
    let be: Backend;
    beforeAll(() => {
      be = bc.make();
    });
    for (const c of poolCases.cases) {
      it(c.name, () => {
        const rows = c.x.shape[0];
        let k;
        if (c.kind === 'global_avg') {
          k = createGlobalAvgPool(be, shape(c.in), rows, { needsInputGrad: true });
        } else {
          const g = pool2dGeometry({
            in: shape(c.in),
            kernel_size: c.kernel_size!,
            stride: c.stride,
            padding: c.padding,
            dilation: c.kind === 'max' ? c.dilation : undefined,
          });
          if (!g.ok) throw new Error(g.problem);
          expect([g.geometry.outC, g.geometry.outH, g.geometry.outW]).toEqual(c.y.shape.slice(1));
          k =
            c.kind === 'max'
              ? createMaxPool2d(be, g.geometry, rows, { needsInputGrad: true })
              : createAvgPool2d(be, g.geometry, rows, { needsInputGrad: true, countIncludePad: c.count_include_pad });
        }
        const y = k.forward(load(be, c.x), rows);
        if (c.kind === 'global_avg') expectClose(y, c.y, 'y');
        else expectExact(y, c.y, 'y');
        expectExact(k.backward(load(be, c.dy), rows)!, c.dx, 'dx');
      });
    }
  });
}
