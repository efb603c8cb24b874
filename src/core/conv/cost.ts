/**
 * Cost of the pooling kernels per row of the batch, for LIMIT_JOB_FLOPS and the trainer's memory
 * estimate (conv2d's are beside it: conv2dFlopsPerRow / conv2dBufferFloats in ./conv2d.ts). A comparison
 * or an add counts as one FLOP; flatten costs nothing (it is a view of the NCHW row).
 */
import type { Geometry2d } from './geometry.js';

export interface OpCost {
  /** FLOPs of one row's forward */
  forward: number;
  /** FLOPs of one row's backward (0 without input gradient: a pool has no parameters) */
  backward: number;
}

/**
 * max and avg: one compare/add per window element per output (avg: + one division per output); backward
 * one add per output (max) or per window element plus a division per output (avg).
 */
export function pool2dFlopsPerRow(kind: 'max' | 'avg', g: Geometry2d, needsInputGrad: boolean): OpCost {
  const window = g.outSize * g.kH * g.kW;
  const forward = window + (kind === 'avg' ? g.outSize : 0);
  const backward = !needsInputGrad ? 0 : kind === 'max' ? g.outSize : window + g.outSize;
  return { forward, backward };
}

export function globalAvgPoolFlopsPerRow(
  channels: number,
  height: number,
  width: number,
  needsInputGrad: boolean,
): OpCost {
  const n = channels * height * width;
  return { forward: n + 2 * channels, backward: needsInputGrad ? n + 2 * channels : 0 };
}

export interface PoolBuffers {
  /** capacity × outSize */
  output: number;
  /** capacity × inSize (0 without needsInputGrad) */
  inputGrad: number;
  /** max pooling's argmax (Int32, same 4 bytes a float), capacity × outSize; 0 for avg */
  argmax: number;
  total: number;
}

/** Floats (4-byte words) a pooling kernel allocates for `capacity` rows; global average pool: g.outSize = channels. */
export function pool2dBufferFloats(
  kind: 'max' | 'avg',
  g: Geometry2d,
  capacity: number,
  needsInputGrad: boolean,
): PoolBuffers {
  const output = capacity * g.outSize,
    inputGrad = needsInputGrad ? capacity * g.inSize : 0;
  const argmax = kind === 'max' ? capacity * g.outSize : 0;
  return { output, inputGrad, argmax, total: output + inputGrad + argmax };
}
