/**
 * LeNet-5's two convolutions (1→6 k5 pad 2 on 28×28; 6→16 k5 on 14×14) at batch 128: forward + backward
 * (dW, db, and dX for the second) per backend and GEMM chunk size, to choose conv2d's arrangement
 * (src/core/conv/conv2d.ts): chunk 1 = one GEMM per row of the batch, the default = col within
 * DEFAULT_COL_FLOATS, 128 = one GEMM over the whole batch. Rates are calls/s of the pair of layers.
 * `movement`: im2col / col2im by the backend's kernels (`kernel`: fused.im2col / col2imAdd, what conv2d
 * runs) or by conv2d's TS loops (`ts`: the same backend with those kernels hidden), in the same run; the
 * second table times the data movement alone (im2col of both layers' batches + col2im of conv2's).
 *
 *   npm run build && node dist/bench/conv-kernels.js [--runs=3] [--run-ms=500] [--chunks=1,default,128]
 *     [--movement=ts,kernel] [--scalar]
 */
import type { Backend } from '../src/core/types.js';
import { createScalarBackend } from '../src/core/kernels/scalar.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import { conv2dGeometry, type Conv2dGeometry } from '../src/core/conv/geometry.js';
import { conv2dChunkRows, createConv2d } from '../src/core/conv/conv2d.js';
import { col2imAdd, im2col } from '../src/core/conv/im2col.js';
import { createNativeBackend, loadNative } from '../workers/native-backend.js';
import { args, environment, fmt, rate, table } from './common.js';

const a = args();
const timing = { runs: Number(a.get('runs') ?? 3), runMs: Number(a.get('run-ms') ?? 500), warmupMs: 500 };
const N = 128;
const geo = (c: number, hw: number, o: number, pad: number): Conv2dGeometry => {
  const shape = { channels: c, height: hw, width: hw };
  const g = conv2dGeometry({ in: shape, out_channels: o, kernel_size: 5, padding: pad });
  if (!g.ok) throw new Error(g.problem);
  return g.geometry;
};
const L1 = geo(1, 28, 6, 2),
  L2 = geo(6, 14, 16, 0);
/** n floats U(-0.5, 0.5) in the backend's memory (a kernel reads only arrays of its backend's `alloc`) */
const random = (be: Backend, n: number): Float32Array => {
  const x = be.alloc(n);
  for (let i = 0; i < n; i++) x[i] = Math.random() - 0.5;
  return x;
};

function step(be: Backend, chunk: number | undefined): () => void {
  const layers = [
    [L1, false],
    [L2, true],
  ] as const;
  const run = layers.map(([g, needs]) => {
    const k = createConv2d(be, g, N, { needsInputGrad: needs, chunkRows: chunk });
    const x = random(be, N * g.inSize),
      dy = be.alloc(N * g.outSize).fill(0.01);
    const w = be.alloc(g.outC * g.K).fill(0.05),
      b = be.alloc(g.outC),
      dw = be.alloc(w.length),
      db = be.alloc(g.outC);
    return () => {
      k.forward(x, N, w, b);
      k.backward(dy, N, w, dw, db);
    };
  });
  return () => {
    for (const f of run) f();
  };
}

/** The backend with its conv data-movement kernels hidden, so conv2d runs its TS loops. */
const withoutKernels = (be: Backend): Backend => ({
  ...be,
  fused: be.fused && { ...be.fused, im2col: undefined, col2imAdd: undefined },
});

/** im2col of both layers over the whole batch (chunks of `conv2dChunkRows`) and col2im of conv2's, as conv2d does */
function movement(be: Backend): () => void {
  const unfold = be.fused?.im2col?.bind(be.fused) ?? im2col,
    fold = be.fused?.col2imAdd?.bind(be.fused) ?? col2imAdd;
  const parts = (
    [
      [L1, false],
      [L2, true],
    ] as const
  ).map(([g, back]) => {
    const chunk = conv2dChunkRows(g, N);
    const x = random(be, N * g.inSize),
      col = be.alloc(g.K * chunk * g.P);
    const dx = be.alloc(N * g.inSize);
    return () => {
      for (let r0 = 0; r0 < N; r0 += chunk) {
        const B = Math.min(chunk, N - r0);
        unfold(g, x, r0, B, col);
        if (back) fold(g, col, r0, B, dx);
      }
    };
  });
  return () => {
    for (const f of parts) f();
  };
}

const backends: [string, () => Backend][] = [['simd', () => createSimdBackend(32 * 1024 * 1024)]];
const native = loadNative();
if (native.ok) backends.push([`native ${native.isa}`, () => createNativeBackend(native)]);
if (a.has('scalar')) backends.push(['scalar', () => createScalarBackend()]);
const chunks = (a.get('chunks') ?? '1,default,128').split(',').map((c) => (c === 'default' ? undefined : Number(c)));
const flops = 2 * N * (2 * L1.outC * L1.K * L1.P + 3 * L2.outC * L2.K * L2.P);

console.log(environment());
console.log(`default chunks: conv1 ${conv2dChunkRows(L1, N)} rows, conv2 ${conv2dChunkRows(L2, N)} rows`);
const movements = (a.get('movement') ?? 'ts,kernel').split(',');
const wrap = (m: string, be: Backend): Backend => (m === 'ts' ? withoutKernels(be) : be);
const rows: (string | number)[][] = [],
  moves: (string | number)[][] = [];
for (const [name, make] of backends) {
  for (const c of chunks) {
    for (const m of movements) {
      const r = rate(step(wrap(m, make()), c), timing);
      rows.push([name, c === undefined ? 'default' : c, m, fmt(r.median, 2), fmt((r.median * flops) / 1e9, 2)]);
    }
  }
  for (const m of movements) {
    const r = rate(movement(wrap(m, make())), timing);
    moves.push([name, m, fmt(1000 / r.median, 2)]);
  }
}
console.log(table(['backend', 'chunk rows', 'im2col/col2im', 'fwd+bwd / s', 'GFLOP/s (GEMMs)'], rows));
console.log(table(['backend', 'im2col/col2im', 'ms per batch (im2col ×2 layers + col2im conv2)'], moves));
