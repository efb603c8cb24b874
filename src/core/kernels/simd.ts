/**
 * The WebAssembly SIMD backend: the AssemblyScript kernels of assembly/** (128-bit SIMD,
 * 4×8 register-blocked GEMM on packed panels), run on Float32Array views of one
 * WebAssembly.Memory owned by the backend.
 *
 * Memory policy — reserve up front, never grow. `createSimdBackend(capacityFloats)` sizes
 * the memory once (kernel scratch + capacityFloats floats) and never calls memory.grow, so
 * a view returned by `alloc` is never detached by a later allocation (growing a memory
 * detaches every existing view of its buffer). When an allocation does not fit, `alloc`
 * throws a RangeError that says how much was asked, how much is left and what capacity to
 * ask for instead. Allocations are 16-byte aligned (4 floats) and zero-filled; there is no
 * free — a backend belongs to one model/trainer and is dropped with it.
 *
 * Pure module: no node:* imports, no Buffer (base64 is decoded with atob).
 */
import type { Backend } from '../types.js';
import { ACTIVATION_CODE, type FusedActivationName, type SimdRawKernels } from './contract.generated.js';
import { SIMD_WASM_BASE64 } from './simd-wasm.generated.js';
import { convKernelArgs } from './conv-args.js';
import type { Conv2dGeometry } from '../conv/geometry.js';

/** Default capacity: 8 Mi floats = 32 MiB (a 784-256-128-64-10 MLP with Adam needs ~1 Mi). */
export const DEFAULT_SIMD_CAPACITY_FLOATS = 8 * 1024 * 1024;
/** Hard upper bound (WebAssembly 32-bit memories are at most 4 GiB). */
export const MAX_SIMD_CAPACITY_FLOATS = 900 * 1024 * 1024;

// Minimal WebAssembly typings: the project's lib (ES2022, no DOM) does not declare the
// WebAssembly JS API, so it is reached through globalThis with just what is used here.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
/** The first page holds the module's static data (checked against __heap_base). */
const RESERVED_BYTES = PAGE;

/**
 * The raw kernels module exports (byte pointers into the backend's memory): the contract's kernels
 * (src/core/kernels/manifest.ts, generated into SimdRawKernels) and this backend's own helpers.
 */
export interface SimdKernelExports extends SimdRawKernels {
  setScratch(ptr: number): void;
  scratchFloats(): number;
  heapBase(): number;
  /** Peak-FLOPs probe (bench/peak.ts): 64·iters FLOPs on a 96-byte buffer. */
  peak(iters: number, buf: number): number;
}

/**
 * Activations the fused dense kernels implement (others: use the JS loops of activations.ts).
 * identity and relu are bit-equal to activations.ts; tanh and sigmoid are float32 rational
 * approximations (max abs error ≤ 4e-7 vs Math.tanh, see test/backends/).
 */
export type FusedActivation = FusedActivationName;

/** Adam hyper-parameters (torch.optim.Adam / AdamW keyword arguments). */
export interface FusedAdamOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  decoupled: boolean;
}

/**
 * Fused SIMD kernels for the O(n) parts of a training step. Every array must come from the
 * same backend's `alloc` (subarrays of those are fine). Semantics match the JS loops of
 * src/core (elementwise.ts, activations.ts, optimizers/adam.ts) up to float32 rounding.
 */
export interface SimdFusedKernels {
  /** torch Adam/AdamW step t (from 1) at lr on n floats, amsgrad=false (adam.ts adamUpdate). */
  adam(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    n: number,
    lr: number,
    step: number,
    o: FusedAdamOptions,
  ): void;
  /** Σ x[i]² over the first n floats (float64 accumulation) */
  sumSquares(x: Float32Array, n?: number): number;
  /** { diff: Σ(a-b)², ref: Σ b² } over n floats (the layer update ratio ‖Δw‖/‖w‖ needs both) */
  diffSquares(a: Float32Array, b: Float32Array, n?: number): { diff: number; ref: number };
  /** true when the first n floats are all finite */
  allFinite(x: Float32Array, n?: number): boolean;
  /** z[r,j] += bias[j] (bias null: none), then y = act(z) (y may be z) for rows × cols */
  biasAct(
    z: Float32Array,
    y: Float32Array,
    bias: Float32Array | null,
    rows: number,
    cols: number,
    act: FusedActivation,
  ): void;
  /** dz = dy · act'(z) over n floats (identity: copy; dz may be dy) */
  actBackward(dy: Float32Array, z: Float32Array, dz: Float32Array, n: number, act: FusedActivation): void;
  /** db[j] = Σ_r dz[r, j] (writes, not accumulates) */
  sumRows(dz: Float32Array, db: Float32Array, rows: number, cols: number): void;
  /** y = tanh(x) over n floats, the float32 approximation biasAct(…, 'tanh') applies */
  tanh(x: Float32Array, y: Float32Array, n?: number): void;
  /** src/core/conv/im2col.ts's im2col, bit-identical (the unfold of x's rows [row0, row0+rows) into col) */
  im2col(g: Conv2dGeometry, x: Float32Array, row0: number, rows: number, col: Float32Array): void;
  /** im2col.ts's col2imAdd, bit-identical (dx's rows [row0, row0+rows) += the fold of col) */
  col2imAdd(g: Conv2dGeometry, col: Float32Array, row0: number, rows: number, dx: Float32Array): void;
}

/** The SIMD backend: a Backend plus introspection used by tests and benchmarks. */
export interface SimdBackend extends Backend {
  readonly name: 'simd';
  /** floats that `alloc` can hand out in total */
  readonly capacityFloats: number;
  /** floats handed out so far (including 16-byte alignment padding) */
  usedFloats(): number;
  /** byte offset of an array in the backend's memory; throws if it does not live there */
  pointerOf(x: Float32Array): number;
  /** fused O(n) kernels (Adam, bias+activation, norms, ...) for a trainer that wants them */
  readonly fused: SimdFusedKernels;
  /** the module instance's exports and memory (benchmarks, tests) */
  readonly raw: { readonly exports: SimdKernelExports; readonly memory: WasmMemory };
}

let cachedModule: object | null = null;

function kernelsModule(): object {
  if (cachedModule === null) {
    const bin = atob(SIMD_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    cachedModule = new WA.Module(bytes);
  }
  return cachedModule as object;
}

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0)
    throw new RangeError(`simd gemm: ${name} must be a non-negative integer, got ${v}`);
}

/**
 * A SIMD backend whose `alloc` can hand out `capacityFloats` floats in total (default
 * DEFAULT_SIMD_CAPACITY_FLOATS). Size it from the model: parameters × (value, grad and
 * optimizer state) + batch × Σ layer widths × (activations, gradients) + the batch input.
 */
export function createSimdBackend(capacityFloats: number = DEFAULT_SIMD_CAPACITY_FLOATS): SimdBackend {
  if (!Number.isInteger(capacityFloats) || capacityFloats < 0 || capacityFloats > MAX_SIMD_CAPACITY_FLOATS) {
    throw new RangeError(
      `createSimdBackend: capacityFloats must be an integer in [0, ${MAX_SIMD_CAPACITY_FLOATS}], got ${capacityFloats}`,
    );
  }
  const module = kernelsModule();
  // the module's minimum is tiny; size the memory once for scratch + capacity
  const probeScratch = 512 * 256 + 128 * 256 + 32; // matches assembly/gemm.ts scratchFloats(); checked below
  const totalBytes = RESERVED_BYTES + probeScratch * 4 + capacityFloats * 4 + 16;
  const pages = Math.ceil(totalBytes / PAGE);
  const memory = new WA.Memory({ initial: pages, maximum: pages });
  const instance = new WA.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error('simd kernels: abort');
      },
    },
  });
  const X = instance.exports as unknown as SimdKernelExports;
  if (X.heapBase() > RESERVED_BYTES)
    throw new Error(`simd kernels: static data (${X.heapBase()} B) exceeds the reserved page`);
  const scratchFloats = X.scratchFloats();
  if (scratchFloats > probeScratch)
    throw new Error(`simd kernels: scratch of ${scratchFloats} floats exceeds the ${probeScratch} reserved`);
  X.setScratch(RESERVED_BYTES);
  const heapStart = RESERVED_BYTES + probeScratch * 4;
  const heapEnd = heapStart + capacityFloats * 4;
  let top = heapStart;
  const buffer = memory.buffer; // never detached: the memory never grows (maximum = initial)

  function pointerOf(x: Float32Array): number {
    if (x.buffer !== buffer) {
      throw new Error('simd backend: array was not allocated by this backend (use backend.alloc)');
    }
    return x.byteOffset;
  }

  function alloc(n: number): Float32Array {
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`simd backend: alloc(n) needs a non-negative integer, got ${n}`);
    const start = (top + 15) & ~15;
    const end = start + n * 4;
    if (end > heapEnd) {
      const used = (top - heapStart) / 4;
      const free = Math.max(0, (heapEnd - start) / 4);
      throw new RangeError(
        `simd backend: out of capacity: alloc(${n}) needs ${n} floats but only ${free} of ${capacityFloats} are free ` +
          `(${used} used); create the backend with createSimdBackend(capacityFloats >= ${used + n + 4})`,
      );
    }
    top = end;
    // fresh memory is zero; nothing is ever freed, so no clearing is needed
    return new Float32Array(buffer, start, n);
  }

  function gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void {
    checkDim('m', m);
    checkDim('n', n);
    checkDim('k', k);
    if (a.length < m * k) throw new RangeError(`simd gemm: A has ${a.length} floats, needs m·k = ${m * k}`);
    if (b.length < k * n) throw new RangeError(`simd gemm: B has ${b.length} floats, needs k·n = ${k * n}`);
    if (c.length < m * n) throw new RangeError(`simd gemm: C has ${c.length} floats, needs m·n = ${m * n}`);
    X.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, pointerOf(a), pointerOf(b), pointerOf(c), accumulate ? 1 : 0);
  }

  const need = (x: Float32Array, n: number, what: string): number => {
    if (!Number.isInteger(n) || n < 0 || n > x.length)
      throw new RangeError(`simd ${what}: n = ${n} outside [0, ${x.length}]`);
    return pointerOf(x);
  };
  const fused: SimdFusedKernels = {
    adam(p, g, m, v, n, lr, step, o) {
      const bc1 = 1 - o.beta1 ** step;
      const bc2Sqrt = Math.sqrt(1 - o.beta2 ** step);
      const shrink = o.decoupled ? 1 - lr * o.weight_decay : 1;
      const wd = o.decoupled ? 0 : o.weight_decay;
      X.adam(
        need(p, n, 'adam p'),
        need(g, n, 'adam g'),
        need(m, n, 'adam m'),
        need(v, n, 'adam v'),
        n,
        1 - o.beta1,
        o.beta2,
        1 - o.beta2,
        lr / bc1,
        bc2Sqrt,
        o.eps,
        wd,
        shrink,
      );
    },
    sumSquares: (x, n = x.length) => X.sumSquares(need(x, n, 'sumSquares'), n),
    diffSquares(a, b, n = a.length) {
      const diff = X.diffSquares(need(a, n, 'diffSquares a'), need(b, n, 'diffSquares b'), n);
      return { diff, ref: X.secondResult() };
    },
    allFinite: (x, n = x.length) => X.allFinite(need(x, n, 'allFinite'), n) === 1,
    biasAct(z, y, bias, rows, cols, act) {
      const n = rows * cols;
      if (bias && bias.length < cols)
        throw new RangeError(`simd biasAct: bias has ${bias.length} floats, needs ${cols}`);
      X.biasAct(
        need(z, n, 'biasAct z'),
        need(y, n, 'biasAct y'),
        bias ? pointerOf(bias) : 0,
        rows,
        cols,
        ACTIVATION_CODE[act],
      );
    },
    actBackward(dy, z, dz, n, act) {
      X.actBackward(
        need(dy, n, 'actBackward dy'),
        need(z, n, 'actBackward z'),
        need(dz, n, 'actBackward dz'),
        n,
        ACTIVATION_CODE[act],
      );
    },
    sumRows(dz, db, rows, cols) {
      X.sumRows(need(dz, rows * cols, 'sumRows dz'), need(db, cols, 'sumRows db'), rows, cols);
    },
    tanh(x, y, n = x.length) {
      X.tanhArray(need(x, n, 'tanh x'), need(y, n, 'tanh y'), n);
    },
    im2col(g, x, row0, rows, col) {
      const v = convKernelArgs('simd im2col', g, row0, rows, x, col);
      X.im2col(
        pointerOf(x),
        pointerOf(col),
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        v[7],
        v[8],
        v[9],
        v[10],
        v[11],
        v[12],
      );
    },
    col2imAdd(g, col, row0, rows, dx) {
      const v = convKernelArgs('simd col2imAdd', g, row0, rows, dx, col);
      X.col2imAdd(
        pointerOf(col),
        pointerOf(dx),
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        v[7],
        v[8],
        v[9],
        v[10],
        v[11],
        v[12],
      );
    },
  };

  return {
    name: 'simd',
    capacityFloats,
    alloc,
    gemm,
    fused,
    usedFloats: () => (top - heapStart) / 4,
    pointerOf,
    raw: { exports: X, memory },
  };
}

/**
 * The fused kernels when `backend` is a SIMD backend, else null — so layers and optimizers can
 * take the fast path without depending on the backend type:
 *   const fused = fusedKernelsOf(backend);
 *   if (fused) fused.adam(p.value, p.grad, m, v, n, lr, step, o); else adamUpdate(...);
 */
export function fusedKernelsOf(backend: Backend): SimdFusedKernels | null {
  const f = (backend as Partial<SimdBackend>).fused;
  return backend.name === 'simd' && f ? f : null;
}
