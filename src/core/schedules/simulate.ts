/**
 * simulateSchedule: the LR (and momentum) used by each optimizer step under a schedule spec.
 * `lrs[i]` = PyTorch `get_last_lr()[0]` after i calls of `scheduler.step()`; transformers
 * `lr · λ(i)`; optax `schedule(i)`; ReduceLROnPlateau `lrs[0]` = lr, `lrs[k+1]` = lr after `step(metrics[k])`.
 */
import { ScheduleError, pyRepr } from './errors.js';
import { openSchedule, usesMetrics } from './runner.js';
import type { ScheduleSpec } from './types.js';

export interface SimulateOptions {
  /** ReduceLROnPlateau only: the metric passed to each `step(metrics)`; needs `steps - 1` of them */
  metrics?: number[];
}

export interface SimulateResult {
  lrs: number[];
  /** present when a scheduler cycles momentum (CyclicLR / OneCycleLR with cycle_momentum): SGD momentum or Adam beta1
   * */
  momentum?: number[];
}

function checkFinite(xs: number[], what: string): void {
  const i = xs.findIndex((x) => !Number.isFinite(x));
  if (i >= 0) {
    throw new ScheduleError(
      '/schedule',
      `the ${what} is not finite at step ${i} (${pyRepr(xs[i])}); JSON cannot carry it`,
      'LimitError',
    );
  }
}

export function simulateSchedule(spec: ScheduleSpec, steps: number, opts: SimulateOptions = {}): SimulateResult {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) {
    throw new ScheduleError('/steps', `steps must be an integer >= 1, got ${pyRepr(steps)}`, 'LimitError');
  }
  const runner = openSchedule(spec);
  const metrics = opts.metrics;
  if (metrics !== undefined && !runner.usesMetrics) {
    throw new ScheduleError(
      '/metrics',
      `metrics are only used by ReduceLROnPlateau, not by ${runner.type}`,
      'TypeError',
    );
  }
  if (runner.usesMetrics) {
    if (metrics === undefined)
      throw new ScheduleError(
        '/metrics',
        'ReduceLROnPlateau needs metrics: the value passed to each step(metrics)',
        'TypeError',
      );
    metrics.forEach((m, i) => {
      if (typeof m !== 'number' || !Number.isFinite(m))
        throw new ScheduleError(`/metrics/${i}`, `metrics[${i}] must be a finite number`, 'TypeError');
    });
    if (steps > metrics.length + 1) {
      throw new ScheduleError(
        '/steps',
        `steps = ${steps} needs ${steps - 1} metrics (one per step after the first), got ${metrics.length}`,
        'LimitError',
      );
    }
  }
  const lrs = [runner.lr];
  const momentum = [runner.momentum ?? 0];
  for (let i = 1; i < steps; i++) {
    runner.step(metrics?.[i - 1]);
    lrs.push(runner.lr);
    momentum.push(runner.momentum ?? 0);
  }
  checkFinite(lrs, runner.family === 'optax' ? 'value' : 'learning rate');
  if (!runner.cyclesMomentum) return { lrs };
  checkFinite(momentum, 'momentum');
  return { lrs, momentum };
}

export { usesMetrics };
