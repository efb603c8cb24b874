import { expect } from 'vitest';
import { simulateSchedule, ScheduleError } from '../../../src/core/schedules/index.js';
import { expectClose } from '../../helpers/close.js';

export { expectClose };

/** PyTorch / transformers: 1e-12 relative. */
export const expect64 = (a: readonly number[], e: readonly number[]): void => expectClose(a, e, 1e-12);
/** optax (float32): 1e-6 relative, 1e-8 absolute for values at 0 (optax's own with_exponent tolerances). */
export const expect32 = (a: readonly number[], e: readonly number[]): void => expectClose(a, e, 1e-6, 1e-8);

export const lrs = (spec: unknown, steps: number, metrics?: number[]): number[] =>
  simulateSchedule(spec as never, steps, metrics ? { metrics } : {}).lrs;

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
export const rep = (v: number, n: number): number[] => Array(n).fill(v);

/** the ScheduleError a call throws (fails the test when it does not throw one) */
export function errorOf(fn: () => unknown): ScheduleError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScheduleError) return e;
    throw e;
  }
  return expect.fail('expected a ScheduleError');
}
