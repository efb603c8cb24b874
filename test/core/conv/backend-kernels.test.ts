/**
 * conv2d on a backend's own im2col / col2imAdd kernels (the SIMD and native backends) against the same
 * backend without them (conv2d's TS loops, ./im2col.ts), bit for bit: the data movement is a copy and an
 * ordered sum, and the GEMMs are the same calls, so the output, dW, db and dX must not differ in one bit.
 * The kernels themselves are held to their definitions in test/backends/cases/conv.ts.
 */
import { describe, expect, it } from 'vitest';
import { createConv2d } from '../../../src/core/conv/conv2d.js';
import { conv2dGeometry, type Conv2dOptions } from '../../../src/core/conv/geometry.js';
import type { Backend } from '../../../src/core/types.js';
import { BACKENDS } from './helpers.js';

/** The backend with its conv data-movement kernels hidden, so conv2d runs its TS loops. */
const withoutKernels = (be: Backend): Backend => ({
  ...be,
  fused: be.fused && { ...be.fused, im2col: undefined, col2imAdd: undefined },
});

const GEOMETRIES: [string, Conv2dOptions][] = [
  ['LeNet conv2 (5×5 on 6×14×14)', { in: { channels: 6, height: 14, width: 14 }, out_channels: 4, kernel_size: 5 }],
  [
    '3×2 stride (2, 1) pad (1, 2) dilation (1, 2) on 3×9×11',
    {
      in: { channels: 3, height: 9, width: 11 },
      out_channels: 5,
      kernel_size: [3, 2],
      stride: [2, 1],
      padding: [1, 2],
      dilation: [1, 2],
    },
  ],
];

function run(be: Backend, o: Conv2dOptions, counted: { im2col: number; col2im: number } | null): Float32Array[] {
  const r = conv2dGeometry(o);
  if (!r.ok) throw new Error(r.problem);
  const g = r.geometry,
    rows = 5;
  if (counted && be.fused?.im2col && be.fused.col2imAdd) {
    const { im2col, col2imAdd } = be.fused;
    be = {
      ...be,
      fused: {
        ...be.fused,
        im2col: (...a) => {
          counted.im2col++;
          im2col(...a);
        },
        col2imAdd: (...a) => {
          counted.col2im++;
          col2imAdd(...a);
        },
      },
    };
  }
  const k = createConv2d(be, g, rows, { needsInputGrad: true, chunkRows: 2 });
  const x = be.alloc(rows * g.inSize),
    dy = be.alloc(rows * g.outSize);
  const w = be.alloc(g.outC * g.K),
    b = be.alloc(g.outC),
    dw = be.alloc(w.length),
    db = be.alloc(g.outC);
  let s = 1;
  const next = (): number => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (const a of [x, dy, w, b]) for (let i = 0; i < a.length; i++) a[i] = next();
  const y = Float32Array.from(k.forward(x, rows, w, b));
  const dx = Float32Array.from(k.backward(dy, rows, w, dw, db)!);
  return [y, Float32Array.from(dw), Float32Array.from(db), dx];
}

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

for (const bc of BACKENDS.filter((c) => c.label !== 'scalar')) {
  describe.skipIf(bc.skip)(`conv2d on ${bc.label}: its im2col / col2imAdd kernels`, () => {
    for (const [what, o] of GEOMETRIES) {
      it(`${what}: output, dW, db and dX bit-identical to the TS loops; the kernels are the ones called`, () => {
        const counted = { im2col: 0, col2im: 0 };
        const withK = run(bc.make(), o, counted),
          without = run(withoutKernels(bc.make()), o, null);
        // 3 chunks of 2 rows: 3 forward im2cols, 2 more in backward (the last chunk's col is reused), 3 col2ims
        expect(counted).toEqual({ im2col: 5, col2im: 3 });
        for (let i = 0; i < 4; i++) expect(bits(withK[i]), ['y', 'dW', 'db', 'dX'][i]).toEqual(bits(without[i]));
      });
    }
  });
}
