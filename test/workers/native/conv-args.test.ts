/**
 * The conv data-movement kernels refuse, before running, what would read or write outside the arrays: on
 * the native addon (addon.c conv_args) and the WebAssembly SIMD backend (src/core/kernels/conv-args.ts),
 * the two without bounds checks of their own. A RangeError names the kernel.
 */
import { describe, expect, it } from 'vitest';
import { conv2dGeometry, type Conv2dGeometry } from '../../../src/core/conv/geometry.js';
import { createSimdBackend } from '../../../src/core/kernels/simd.js';
import type { FusedKernels } from '../../../src/core/types.js';
import { createNativeBackend } from '../../../workers/native-backend.js';
import { named, nativeSkipReason, requireNative } from './addon.js';

const r = conv2dGeometry({ in: { channels: 2, height: 6, width: 5 }, out_channels: 1, kernel_size: 3, padding: 1 });
if (!r.ok) throw new Error(r.problem);
const G = r.geometry; // K = 18, P = 30, inSize = 60
const noNative = nativeSkipReason();

const subjects: [
  string,
  string | null,
  () => { fused: Required<Pick<FusedKernels, 'im2col' | 'col2imAdd'>>; alloc(n: number): Float32Array },
][] = [
  ['simd', null, () => createSimdBackend(1 << 16)],
  [named('native', noNative), noNative, () => createNativeBackend(requireNative())],
];

for (const [label, skip, make] of subjects) {
  describe.skipIf(skip)(`${label} im2col / col2imAdd argument checks`, () => {
    it('a batch or col too short for rows [row0, row0 + rows), a bad geometry: RangeError, nothing written', () => {
      const be = make(),
        x = be.alloc(2 * G.inSize),
        col = be.alloc(G.K * 2 * G.P).fill(7);
      expect(() => be.fused.im2col(G, x, 1, 2, col)).toThrow(RangeError); // rows 1..2 of a 2-row batch
      expect(() => be.fused.im2col(G, x, 0, 2, col.subarray(1))).toThrow(/im2col/);
      expect(() => be.fused.col2imAdd(G, col.subarray(1), 0, 2, x)).toThrow(/col2imAdd/);
      expect(() => be.fused.col2imAdd(G, col, 0, 3, x)).toThrow(RangeError);
      const bad: Conv2dGeometry[] = [
        { ...G, strideH: 0 },
        { ...G, padW: -1 },
        { ...G, kH: 20 },
        { ...G, inC: 0 },
      ];
      for (const g of bad) expect(() => be.fused.im2col(g, x, 0, 1, col), JSON.stringify(g)).toThrow(RangeError);
      expect(() => be.fused.im2col(G, x, -1, 1, col)).toThrow(RangeError);
      expect(col.every((v) => v === 7)).toBe(true);
      be.fused.im2col(G, x, 0, 2, col); // the exact sizes pass
    });
  });
}
