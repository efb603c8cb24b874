/**
 * A minimal MLP training step built directly on the SIMD backend and its fused kernels — the
 * path createTrainer could take (see bench/README.md "What limits createTrainer"). Same
 * math as the trainer for dense + relu/tanh + softmax cross-entropy + Adam (torch semantics):
 *
 *   forward   z = x·Wᵀ (gemm N,T) ; z += b, y = relu/tanh(z)   fused.biasAct
 *   loss      softmax CE, dlogits = (softmax - onehot)/B       JS loop (B × classes)
 *   backward  dz = dy·act'(z)                                  fused.actBackward
 *             dW = dzᵀ·x (gemm T,N) ; db = Σ_rows dz           fused.sumRows
 *             dx = dz·W (gemm N,N), skipped for the first layer
 *   norm      ‖g‖ over all grads                               fused.sumSquares
 *   update    Adam                                             fused.adam
 * tanh (tiny net) uses the fused float32 tanh (4e-7 from Math.tanh). Minibatches are consecutive
 * rows (one TypedArray.set per step), cycling through the dataset.
 */
import type { SimdBackend } from '../src/core/kernels/simd.js';
import type { Dataset } from '../src/core/spec.js';

export interface FusedMlp {
  /** one Adam step at lr; returns the minibatch loss before the update */
  step(lr: number): number;
}

export function createFusedMlp(
  be: SimdBackend,
  sizes: number[],
  activation: 'relu' | 'tanh' | 'sigmoid',
  batch: number,
  ds: Dataset,
  seed = 1,
): FusedMlp {
  const L = sizes.length - 1;
  const B = batch;
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const layers = Array.from({ length: L }, (_, l) => {
    const inD = sizes[l],
      out = sizes[l + 1];
    const W = be.alloc(out * inD),
      b = be.alloc(out);
    const bound = 1 / Math.sqrt(inD); // torch nn.Linear default init (kaiming_uniform a=√5 → U(±1/√fan_in))
    for (let i = 0; i < W.length; i++) W[i] = (rand() * 2 - 1) * bound;
    for (let i = 0; i < b.length; i++) b[i] = (rand() * 2 - 1) * bound;
    const last = l === L - 1;
    return {
      inD,
      out,
      W,
      b,
      last,
      dW: be.alloc(W.length),
      db: be.alloc(out),
      mW: be.alloc(W.length),
      vW: be.alloc(W.length),
      mb: be.alloc(out),
      vb: be.alloc(out),
      z: be.alloc(B * out),
      y: last ? null : be.alloc(B * out),
      dz: be.alloc(B * out),
      dx: l === 0 ? null : be.alloc(B * inD),
    };
  });
  const xb = be.alloc(B * sizes[0]);
  const C = sizes[L];
  const adamOpts = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, decoupled: false };
  let cursor = 0,
    t = 0;
  const labels = new Int32Array(B);

  return {
    step(lr: number): number {
      // minibatch: B consecutive rows (wrapping)
      const f = sizes[0];
      if (cursor + B > ds.rows) cursor = 0;
      xb.set(ds.x.subarray(cursor * f, (cursor + B) * f));
      for (let r = 0; r < B; r++) labels[r] = ds.y[cursor + r];
      cursor += B;
      // forward
      let h = xb;
      for (const ly of layers) {
        be.gemm(false, true, B, ly.out, ly.inD, h, ly.W, ly.z, false);
        if (ly.last) {
          be.fused.biasAct(ly.z, ly.z, ly.b, B, ly.out, 'identity');
          h = ly.z;
          continue;
        }
        be.fused.biasAct(ly.z, ly.y!, ly.b, B, ly.out, activation);
        h = ly.y!;
      }
      // softmax cross-entropy (mean over rows), gradient into the last dz
      const out = layers[L - 1];
      const z = out.z,
        g = out.dz;
      let loss = 0;
      for (let r = 0; r < B; r++) {
        const o = r * C;
        let m = -Infinity;
        for (let c = 0; c < C; c++) if (z[o + c] > m) m = z[o + c];
        let se = 0;
        for (let c = 0; c < C; c++) {
          const e = Math.exp(z[o + c] - m);
          g[o + c] = e;
          se += e;
        }
        const y = labels[r];
        loss += m + Math.log(se) - z[o + y];
        for (let c = 0; c < C; c++) g[o + c] = (g[o + c] / se - (c === y ? 1 : 0)) / B;
      }
      loss /= B;
      // backward
      let dy: Float32Array = g;
      for (let l = L - 1; l >= 0; l--) {
        const ly = layers[l];
        if (!ly.last) be.fused.actBackward(dy, ly.z, ly.dz, B * ly.out, activation);
        const input = l === 0 ? xb : layers[l - 1].y!;
        be.gemm(true, false, ly.out, ly.inD, B, ly.dz, input, ly.dW, false);
        be.fused.sumRows(ly.dz, ly.db, B, ly.out);
        if (ly.dx) {
          be.gemm(false, false, B, ly.inD, ly.out, ly.dz, ly.W, ly.dx, false);
          dy = ly.dx;
        }
      }
      // gradient norm + finiteness, then Adam
      let sq = 0;
      for (const ly of layers) sq += be.fused.sumSquares(ly.dW) + be.fused.sumSquares(ly.db);
      if (!Number.isFinite(loss) || !Number.isFinite(sq)) return loss;
      t++;
      for (const ly of layers) {
        be.fused.adam(ly.W, ly.dW, ly.mW, ly.vW, ly.W.length, lr, t, adamOpts);
        be.fused.adam(ly.b, ly.db, ly.mb, ly.vb, ly.b.length, lr, t, adamOpts);
      }
      return loss;
    },
  };
}
