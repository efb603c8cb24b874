/**
 * LeNet-5's two convolutions (1→6 k5 pad 2 on 28×28; 6→16 k5 on 14×14) at batch 128: forward + backward
 * (dW, db, and dX for the second) per backend and GEMM chunk size, to choose conv2d's arrangement
 * (src/core/conv/conv2d.ts): chunk 1 = one GEMM per row of the batch, the default = col within
 * DEFAULT_COL_FLOATS, 128 = one GEMM over the whole batch. Rates are calls/s of the pair of layers.
 *
 *   npm run build && node dist/bench/conv-kernels.js [--runs=3] [--run-ms=500] [--chunks=1,default,128]
 */
import type { Backend } from '../src/core/types.js';
import { createScalarBackend } from '../src/core/kernels/scalar.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import { conv2dGeometry, type Conv2dGeometry } from '../src/core/conv/geometry.js';
import { conv2dChunkRows, createConv2d } from '../src/core/conv/conv2d.js';
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
const L1 = geo(1, 28, 6, 2), L2 = geo(6, 14, 16, 0);

function step(be: Backend, chunk: number | undefined): () => void {
  const layers = [[L1, false], [L2, true]] as const;
  const run = layers.map(([g, needs]) => {
    const k = createConv2d(be, g, N, { needsInputGrad: needs, chunkRows: chunk });
    const x = be.alloc(N * g.inSize).map(() => Math.random() - 0.5), dy = be.alloc(N * g.outSize).fill(0.01);
    const w = be.alloc(g.outC * g.K).fill(0.05), b = be.alloc(g.outC), dw = be.alloc(w.length), db = be.alloc(g.outC);
    return () => { k.forward(x, N, w, b); k.backward(dy, N, w, dw, db); };
  });
  return () => { for (const f of run) f(); };
}

const backends: [string, () => Backend][] = [['simd', () => createSimdBackend(32 * 1024 * 1024)]];
const native = loadNative();
if (native.ok) backends.push([`native ${native.isa}`, () => createNativeBackend(native)]);
if (a.has('scalar')) backends.push(['scalar', () => createScalarBackend()]);
const chunks = (a.get('chunks') ?? '1,default,128').split(',').map((c) => (c === 'default' ? undefined : Number(c)));
const flops = 2 * N * (2 * L1.outC * L1.K * L1.P + 3 * L2.outC * L2.K * L2.P);

console.log(environment());
console.log(`default chunks: conv1 ${conv2dChunkRows(L1, N)} rows, conv2 ${conv2dChunkRows(L2, N)} rows`);
const rows: (string | number)[][] = [];
for (const [name, make] of backends) {
  for (const c of chunks) {
    const r = rate(step(make(), c), timing);
    rows.push([name, c === undefined ? 'default' : c, fmt(r.median, 2), fmt((r.median * flops) / 1e9, 2)]);
  }
}
console.log(table(['backend', 'chunk rows', 'fwd+bwd / s', 'GFLOP/s (GEMMs)'], rows));
