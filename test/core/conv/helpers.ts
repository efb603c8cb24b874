/**
 * Shared by the conv/pooling kernel tests: the three backends (native skips, with the reason in the
 * test name, when this CPU cannot run it; a missing addon on a machine with a compiler fails instead),
 * the PyTorch fixtures of test/fixtures/conv/ (made by generate.py there) and the comparison rules.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Backend } from '../../../src/core/types.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createSimdBackend } from '../../../src/core/kernels/simd.js';
import { createNativeBackend } from '../../../workers/native-backend.js';
import { named, nativeSkipReason, requireNative } from '../../workers/native/addon.js';

const noNative = nativeSkipReason();

export interface BackendCase {
  label: string;
  skip: string | null;
  make: () => Backend;
}

export const BACKENDS: BackendCase[] = [
  { label: 'scalar', skip: null, make: () => createScalarBackend() },
  { label: 'simd', skip: null, make: () => createSimdBackend(4 * 1024 * 1024) },
  { label: named('native', noNative), skip: noNative, make: () => createNativeBackend(requireNative()) },
];

export interface Tensor {
  shape: number[];
  data: number[];
}

export function fixture<T>(name: string): T {
  const file = path.resolve(import.meta.dirname, '../../fixtures/conv', name);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** A backend buffer holding t's values (padded to n floats when n is larger). */
export function load(be: Backend, t: Tensor | number[], n?: number): Float32Array {
  const data = Array.isArray(t) ? t : t.data;
  const b = be.alloc(Math.max(n ?? 0, data.length));
  b.set(data);
  return b;
}

/**
 * 1e-5 relative, elementwise, with an absolute floor of 1e-5 × the reference's mean magnitude (an element
 * near 0 that is a difference of large terms cannot be closer than the terms' rounding).
 */
export function expectClose(got: ArrayLike<number>, ref: Tensor, what: string, rel = 1e-5): void {
  const n = ref.data.length;
  let mean = 0;
  for (const v of ref.data) mean += Math.abs(v) / n;
  for (let i = 0; i < n; i++) {
    const tol = rel * (Math.abs(ref.data[i]) + mean);
    if (!(Math.abs(got[i] - ref.data[i]) <= tol)) {
      expect.fail(`${what}[${i}] = ${got[i]}, PyTorch ${ref.data[i]} (tolerance ${tol})`);
    }
  }
}

/** Bit-for-bit (Object.is, so -0 and NaN are told apart from 0 and numbers). */
export function expectExact(got: ArrayLike<number>, ref: Tensor, what: string): void {
  for (let i = 0; i < ref.data.length; i++) {
    if (!Object.is(got[i], ref.data[i])) expect.fail(`${what}[${i}] = ${got[i]}, PyTorch ${ref.data[i]} (bit-for-bit)`);
  }
}
