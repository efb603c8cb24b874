/** The preview of a schedule (pure): the core simulator over the requested steps, limits checked, optionally
 * downsampled. */
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { checkScheduleDepth, scheduleProblem } from '../../contracts/schedules.js';
import { scheduleWorkProblem } from '../../contracts/schedule-work.js';
import {
  parseSchedule,
  ScheduleError,
  SCHEDULE_TYPES,
  simulateSchedule,
  usesMetrics,
} from '../../core/schedules/index.js';
import type { SchedulePreviewRequest } from './contract.js';
import { own } from '../../core/own.js';

/** `points` evenly spaced step numbers in [0, steps - 1], always the first and the last (all steps when points ≥
 * steps). */
export function downsampleIndex(steps: number, points: number): number[] {
  if (points >= steps) return Array.from({ length: steps }, (_, i) => i);
  return Array.from({ length: points }, (_, k) => Math.round((k * (steps - 1)) / (points - 1)));
}

export interface PreviewResult {
  lrs: number[];
  momentum?: number[];
  steps: number;
  index?: number[];
  family: string;
}

/**
 * The preview of a validated body; throws 400 problems (limits, library errors). `maxDepth`: LIMIT_SCHEDULE_DEPTH;
 * `workLimit`: LIMIT_SCHEDULE_WORK (steps × schedulers).
 */
export function previewSchedule(
  b: SchedulePreviewRequest,
  limit: number,
  maxDepth: number,
  workLimit = Number.MAX_SAFE_INTEGER,
): PreviewResult {
  const spec = b.schedule as Record<string, unknown>;
  checkScheduleDepth(spec, maxDepth, '/schedule');
  const plateau = typeof spec.type === 'string' && usesMetrics(spec.type);
  if (b.metrics !== undefined && b.metrics.length + 1 > limit) {
    throw limitExceeded(
      '/metrics',
      'metrics.length + 1 (the steps they drive)',
      b.metrics.length + 1,
      limit,
      'LIMIT_SCHEDULE_STEPS',
    );
  }
  let steps = b.steps;
  if (steps === undefined) {
    if (!plateau)
      throw invalid(
        '/steps',
        'is required: how many optimizer steps to simulate (only ReduceLROnPlateau derives it from metrics)',
      );
    steps = (b.metrics?.length ?? 0) + 1;
  }
  if (steps > limit) throw limitExceeded('/steps', 'steps', steps, limit, 'LIMIT_SCHEDULE_STEPS');
  const tooMuch = scheduleWorkProblem('/schedule', spec, steps, workLimit);
  if (tooMuch) throw tooMuch;
  let sim;
  try {
    sim = simulateSchedule(parseSchedule(spec).spec, steps, { metrics: b.metrics });
  } catch (e) {
    if (e instanceof ScheduleError) throw scheduleProblem(e);
    throw e;
  }
  const family = own(SCHEDULE_TYPES, spec.type) as string;
  if (b.points === undefined)
    return { lrs: sim.lrs, ...(sim.momentum ? { momentum: sim.momentum } : {}), steps, family };
  const index = downsampleIndex(steps, b.points);
  const out: PreviewResult = { lrs: index.map((i) => sim.lrs[i]), steps, index, family };
  if (sim.momentum) out.momentum = index.map((i) => sim.momentum![i]);
  return out;
}
