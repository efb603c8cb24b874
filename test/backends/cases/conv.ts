/**
 * The convolution's data movement, im2col and col2imAdd (src/core/conv/im2col.ts), against their
 * definitions (../reference.ts), bit for bit: odd geometries (1×1, stride 2, padding wider than the
 * kernel's reach, dilation, non-square kernels and inputs, stride larger than the kernel), LeNet's two
 * convolutions, rows wider than any vector (tails of 4, 8 and 16), a chunk of rows in the middle of
 * the batch (row0 > 0), an empty chunk, −0, ±Inf and NaN copied as they are.
 */
import { conv2dGeometry, type Conv2dGeometry, type Conv2dOptions } from '../../../src/core/conv/geometry.js';
import { col2imAddReference, expectSameBits, fill, im2colReference, seeded } from '../reference.js';
import type { KernelCase } from './case.js';

type Shape = [c: number, h: number, w: number];
const geometry = ([c, h, w]: Shape, o: Omit<Conv2dOptions, 'in' | 'out_channels'>): Conv2dGeometry => {
  const r = conv2dGeometry({ in: { channels: c, height: h, width: w }, out_channels: 2, ...o });
  if (!r.ok) throw new Error(r.problem);
  return r.geometry;
};

/** [what, geometry, batch rows, row0, rows] */
const GEOMETRIES: [string, Conv2dGeometry, number, number, number][] = [
  ['1×1', geometry([3, 5, 7], { kernel_size: 1 }), 2, 0, 2],
  ['3×3 pad 1 (same), width 9', geometry([2, 6, 9], { kernel_size: 3, padding: 1 }), 3, 1, 2],
  ['3×3 stride 2 pad 1, 11×13', geometry([2, 11, 13], { kernel_size: 3, stride: 2, padding: 1 }), 2, 0, 2],
  [
    '3×2 dilation 2, pad (2, 1), stride (1, 2), 10×17',
    geometry([2, 10, 17], { kernel_size: [3, 2], dilation: 2, padding: [2, 1], stride: [1, 2] }),
    2,
    1,
    1,
  ],
  ['2×2 pad 3 (whole rows and columns of padding), 2×3', geometry([1, 2, 3], { kernel_size: 2, padding: 3 }), 1, 0, 1],
  ['2×2 stride 3 (skips inputs), 8×11', geometry([2, 8, 11], { kernel_size: 2, stride: 3 }), 1, 0, 1],
  ['LeNet conv1: 5×5 pad 2 on 28×28', geometry([1, 28, 28], { kernel_size: 5, padding: 2 }), 3, 0, 3],
  ['LeNet conv2: 5×5 on 6×14×14', geometry([6, 14, 14], { kernel_size: 5 }), 4, 2, 2],
  ['3×3 pad 1 on 4×37 (vector tails)', geometry([1, 4, 37], { kernel_size: 3, padding: 1 }), 1, 0, 1],
  ['1×5 pad (0, 2) on 3×67', geometry([2, 3, 67], { kernel_size: [1, 5], padding: [0, 2] }), 2, 1, 1],
  ['empty chunk (rows 0)', geometry([2, 5, 5], { kernel_size: 3 }), 2, 1, 0],
];

const SENTINEL = 12345.5;

export const IM2COL_CASES: KernelCase[] = GEOMETRIES.map(([what, g, batch, row0, rows]) => ({
  name: `${what}: rows [${row0}, ${row0 + rows}) of ${batch}, bit-identical, every entry written, nothing past`,
  run(k) {
    const x = fill(k.alloc(batch * g.inSize), seeded(61 + g.inW));
    x[0] = -0;
    x[x.length - 1] = Number.NaN;
    x[Math.floor(x.length / 2)] = -Infinity;
    x[3 % x.length] = Infinity;
    const n = g.K * rows * g.P,
      col = k.alloc(n + 3).fill(SENTINEL); // stale values must all be overwritten
    k.im2col(g, x, row0, rows, col);
    expectSameBits(col, im2colReference(g, x, row0, rows), `${k.label} ${what}`);
    expectSameBits(col.subarray(n), Float32Array.of(SENTINEL, SENTINEL, SENTINEL), `${k.label} ${what}: past col`);
  },
}));

export const COL2IM_ADD_CASES: KernelCase[] = GEOMETRIES.map(([what, g, batch, row0, rows]) => ({
  name: `${what}: dx rows [${row0}, ${row0 + rows}) of ${batch} += fold, bit-identical, in (ki, kj) order`,
  run(k) {
    const next = seeded(67 + g.inH);
    const n = g.K * rows * g.P,
      col = fill(k.alloc(n), next);
    if (n > 2) {
      col[0] = -0;
      col[n - 1] = Infinity;
    }
    // dx is accumulated into (not overwritten): start from values, −0 included; other rows stay as they are
    const dx = fill(k.alloc(batch * g.inSize), next, 0.5);
    if (dx.length > 1) dx[1] = -0;
    const want = col2imAddReference(g, col, row0, rows, dx);
    k.col2imAdd(g, col, row0, rows, dx);
    expectSameBits(dx, want, `${k.label} ${what}`);
  },
}));
