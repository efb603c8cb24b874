/**
 * Every kernel's conformance cases, by the manifest's kernel name (src/core/kernels/manifest.ts): the
 * Record type makes a kernel without cases a compile error, and conformance.test.ts runs each case
 * against every backend the manifest says offers the kernel.
 */
import type { KernelName } from '../../../src/core/kernels/manifest.js';
import { ACT_BACKWARD_CASES, BIAS_ACT_CASES, SUM_ROWS_CASES, TANH_CASES } from './activation.js';
import type { KernelCase } from './case.js';
import { COL2IM_ADD_CASES, IM2COL_CASES } from './conv.js';
import { GEMM_CASES } from './gemm.js';
import { ADAM_CASES, SGD_CASES } from './optimizer.js';
import { ALL_FINITE_CASES, DIFF_SQUARES_CASES, SUM_SQUARES_CASES } from './reduction.js';

export type { KernelCase };

export const CASES: Readonly<Record<KernelName, readonly KernelCase[]>> = {
  gemm: GEMM_CASES,
  biasAct: BIAS_ACT_CASES,
  actBackward: ACT_BACKWARD_CASES,
  sumRows: SUM_ROWS_CASES,
  adam: ADAM_CASES,
  sgd: SGD_CASES,
  sumSquares: SUM_SQUARES_CASES,
  diffSquares: DIFF_SQUARES_CASES,
  allFinite: ALL_FINITE_CASES,
  tanh: TANH_CASES,
  im2col: IM2COL_CASES,
  col2imAdd: COL2IM_ADD_CASES,
};
