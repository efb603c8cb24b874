/**
 * torch.nn.Conv2d (padding_mode 'zeros', groups 1) forward and backward by im2col + the backend's GEMM + col2im:
 *   forward   Y[outC × B·P]  = W[outC × K] · col[K × B·P]              gemm(false, false)   then + bias, to NCHW
 *   backward  dW[outC × K]  += dY[outC × B·P] · col[K × B·P]ᵀ         gemm(false, true)
 *             dcol[K × B·P]  = W[outC × K]ᵀ · dY[outC × B·P]          gemm(true, false)    then col2im → dX
 *             db[o]          = Σ_{rows, p} dY[o, p]
 * (the weight [outC, inC, kH, kW] is the matrix [outC, K], K = inC·kH·kW; P = outH·outW).
 *
 * GEMM arrangement: one GEMM per chunk of B rows, B·P on n. Per row, LeNet's GEMMs are 6×784×25 and
 * 16×100×150: m = outC is a fraction of a register tile whatever we do, so it goes on m (the weights, a few
 * KB, stay packed in cache) and the pixels go on n, the dimension the kernels stream; dW is then a k = B·P
 * reduction. Batching B rows per GEMM costs a copy between [outC, B, P] and the NCHW rows (O(outC·P) per row,
 * against the GEMM's O(outC·K·P)). B is not the whole batch: bench/conv-kernels.ts (LeNet's two convs,
 * batch 128) found one GEMM over all 128 rows (col = 2.5 Mi floats for conv1) no faster, and mostly slower,
 * than chunks of 1–4 rows on both the SIMD and native backends — im2col writes col, the GEMM reads it, the
 * backward's dcol GEMM overwrites it and col2im reads it back, so a col that stays in the L2 cache wins over
 * fewer, longer GEMM calls. The default B keeps col within DEFAULT_COL_FLOATS (64 Ki floats = 256 KiB; LeNet:
 * 3 rows for conv1, 4 for conv2); chunkRows overrides it.
 *
 * im2col and col2im are the backend's kernels when it offers them (backend.fused.im2col / col2imAdd: the SIMD and
 * native backends, bit-identical to the loops of ./im2col.ts), else those loops (bench/conv-kernels.ts compares).
 *
 * No allocation after creation: every buffer comes from backend.alloc once, for `capacity` rows.
 * Backward must follow the forward of the same x (it reuses the col of the forward's last chunk).
 */
import type { Backend } from '../types.js';
import type { Conv2dGeometry } from './geometry.js';
import { col2imAdd, im2col } from './im2col.js';

/** Target size of the im2col buffer in floats; the chunk of rows is chosen to fit it (at least one row). */
export const DEFAULT_COL_FLOATS = 64 * 1024;

export interface Conv2dKernelOptions {
  /** allocate dX and compute it in backward (false for the first layer) */
  needsInputGrad: boolean;
  /** rows per GEMM chunk; default conv2dChunkRows(g, capacity) */
  chunkRows?: number;
}

export interface Conv2dKernel {
  readonly geometry: Conv2dGeometry;
  /** rows per GEMM chunk */
  readonly chunkRows: number;
  /** capacity × outSize, NCHW per row */
  readonly output: Float32Array;
  /** capacity × inSize, or null without needsInputGrad */
  readonly inputGrad: Float32Array | null;
  /** y = conv(x) + bias for rows ≤ capacity; weight [outC·K], bias [outC] or null. Returns `output`. */
  forward(x: Float32Array, rows: number, weight: Float32Array, bias: Float32Array | null): Float32Array;
  /**
   * From dy (rows × outSize): writes dWeight (outC·K) and dBias (outC) — overwriting, not accumulating —
   * and returns dX (`inputGrad`) or null.
   */
  backward(
    dy: Float32Array,
    rows: number,
    weight: Float32Array,
    dWeight: Float32Array,
    dBias: Float32Array | null,
  ): Float32Array | null;
}

/** The default rows per chunk: col (K·B·P floats) within DEFAULT_COL_FLOATS, 1 ≤ B ≤ capacity. */
export function conv2dChunkRows(g: Conv2dGeometry, capacity: number, colFloats = DEFAULT_COL_FLOATS): number {
  return Math.max(1, Math.min(capacity, Math.floor(colFloats / (g.K * g.P))));
}

export interface Conv2dBuffers {
  /** the layer's output, capacity × outSize */
  output: number;
  /** dX, capacity × inSize (0 without needsInputGrad) */
  inputGrad: number;
  /** im2col / dcol scratch, K × chunk·P */
  col: number;
  /** the GEMM's [outC × chunk·P] output / gathered dY */
  gemmOut: number;
  total: number;
}

/** Floats createConv2d allocates (parameters and their gradients not included: see conv2dParamCount). */
export function conv2dBufferFloats(
  g: Conv2dGeometry,
  capacity: number,
  needsInputGrad: boolean,
  chunkRows = conv2dChunkRows(g, capacity),
): Conv2dBuffers {
  const output = capacity * g.outSize,
    inputGrad = needsInputGrad ? capacity * g.inSize : 0;
  const col = g.K * chunkRows * g.P,
    gemmOut = g.outC * chunkRows * g.P;
  return { output, inputGrad, col, gemmOut, total: output + inputGrad + col + gemmOut };
}

/** weight outC·inC·kH·kW plus bias outC */
export const conv2dParamCount = (g: Conv2dGeometry, bias: boolean): number => g.outC * g.K + (bias ? g.outC : 0);

export function createConv2d(
  backend: Backend,
  g: Conv2dGeometry,
  capacity: number,
  o: Conv2dKernelOptions,
): Conv2dKernel {
  const chunk = o.chunkRows ?? conv2dChunkRows(g, capacity);
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new RangeError(`conv2d: chunkRows must be an integer ≥ 1, got ${chunk}`);
  }
  const { outC, K, P, outSize, inSize } = g;
  const output = backend.alloc(capacity * outSize);
  const dx = o.needsInputGrad ? backend.alloc(capacity * inSize) : null;
  const col = backend.alloc(K * chunk * P);
  const yb = backend.alloc(outC * chunk * P);
  const dbAcc = new Float64Array(outC);
  const f = backend.fused;
  const unfold = f?.im2col ? f.im2col.bind(f) : im2col;
  const fold = f?.col2imAdd ? f.col2imAdd.bind(f) : col2imAdd;
  let input: Float32Array = output;
  /** first row and row count of the chunk whose im2col is in `col`, or -1 */
  let colRow0 = -1,
    colRows = 0;

  const checkRows = (rows: number): void => {
    if (!Number.isInteger(rows) || rows < 0 || rows > capacity) {
      throw new RangeError(`conv2d: rows must be an integer in [0, ${capacity}], got ${rows}`);
    }
  };

  return {
    geometry: g,
    chunkRows: chunk,
    output,
    inputGrad: dx,
    forward(x, rows, weight, bias) {
      checkRows(rows);
      input = x;
      for (let r0 = 0; r0 < rows; r0 += chunk) {
        const B = Math.min(chunk, rows - r0),
          BP = B * P;
        unfold(g, x, r0, B, col);
        colRow0 = r0;
        colRows = B;
        backend.gemm(false, false, outC, BP, K, weight, col, yb, false);
        // [outC, B, P] → rows of [outC, P], plus bias
        for (let oc = 0; oc < outC; oc++) {
          const bv = bias ? bias[oc] : 0;
          for (let b = 0; b < B; b++) {
            const src = oc * BP + b * P,
              dst = (r0 + b) * outSize + oc * P;
            if (bias) for (let p = 0; p < P; p++) output[dst + p] = yb[src + p] + bv;
            else output.set(yb.subarray(src, src + P), dst);
          }
        }
      }
      return output;
    },
    backward(dy, rows, weight, dWeight, dBias) {
      checkRows(rows);
      dbAcc.fill(0);
      if (rows === 0) dWeight.fill(0);
      const chunks = Math.ceil(rows / chunk);
      // last chunk first: its col is still there from the forward
      for (let ci = chunks - 1; ci >= 0; ci--) {
        const r0 = ci * chunk,
          B = Math.min(chunk, rows - r0),
          BP = B * P;
        for (let oc = 0; oc < outC; oc++) {
          let s = 0;
          for (let b = 0; b < B; b++) {
            const src = (r0 + b) * outSize + oc * P,
              dst = oc * BP + b * P;
            for (let p = 0; p < P; p++) {
              const v = dy[src + p];
              yb[dst + p] = v;
              s += v;
            }
          }
          dbAcc[oc] += s;
        }
        if (colRow0 !== r0 || colRows !== B) unfold(g, input, r0, B, col);
        backend.gemm(false, true, outC, K, BP, yb, col, dWeight, ci !== chunks - 1);
        colRow0 = -1;
        if (dx) {
          backend.gemm(true, false, K, BP, outC, weight, yb, col, false); // dcol, over col
          dx.fill(0, r0 * inSize, (r0 + B) * inSize);
          fold(g, col, r0, B, dx);
        }
      }
      if (dBias) for (let oc = 0; oc < outC; oc++) dBias[oc] = dbAcc[oc];
      return dx;
    },
  };
}

/** FLOPs per row of the batch (multiply-add = 2), for LIMIT_JOB_FLOPS and the cost estimate. */
export function conv2dFlopsPerRow(
  g: Conv2dGeometry,
  bias: boolean,
  needsInputGrad: boolean,
): { forward: number; backward: number } {
  const mac = 2 * g.outC * g.K * g.P,
    plane = g.outC * g.P;
  const forward = mac + (bias ? plane : 0);
  // dW GEMM, db sum, and (with dX) the dcol GEMM and col2im's adds
  const backward = mac + (bias ? plane : 0) + (needsInputGrad ? mac + g.K * g.P : 0);
  return { forward, backward };
}
