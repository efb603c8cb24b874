/** POST /v1/schedules/preview: the LR (and momentum) of every optimizer step under a schedule, synchronously. */
import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { problemResponses } from '../../contracts/common.js';
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { scheduleProblem, type SchedulePreviewRequest } from '../../contracts/schedules.js';
import { ScheduleError, SCHEDULE_TYPES, simulateSchedule, usesMetrics, type ScheduleSpec } from '../../core/schedules/index.js';

/** `points` evenly spaced step numbers in [0, steps - 1], always the first and the last (all steps when points ≥ steps). */
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

/** The preview of a validated body; throws 400 problems (limits, library errors). */
export function previewSchedule(b: SchedulePreviewRequest, limit: number): PreviewResult {
  const spec = b.schedule as Record<string, unknown>;
  const plateau = typeof spec.type === 'string' && usesMetrics(spec.type);
  if (b.metrics !== undefined && b.metrics.length + 1 > limit) {
    throw limitExceeded('/metrics', 'metrics.length + 1 (the steps they drive)', b.metrics.length + 1, limit, 'LIMIT_SCHEDULE_STEPS');
  }
  let steps = b.steps;
  if (steps === undefined) {
    if (!plateau) throw invalid('/steps', 'is required: how many optimizer steps to simulate (only ReduceLROnPlateau derives it from metrics)');
    steps = (b.metrics?.length ?? 0) + 1;
  }
  if (steps > limit) throw limitExceeded('/steps', 'steps', steps, limit, 'LIMIT_SCHEDULE_STEPS');
  let sim;
  try {
    sim = simulateSchedule(spec as unknown as ScheduleSpec, steps, { metrics: b.metrics });
  } catch (e) {
    if (e instanceof ScheduleError) throw scheduleProblem(e);
    throw e;
  }
  const family = SCHEDULE_TYPES[spec.type as string];
  if (b.points === undefined) return { lrs: sim.lrs, ...(sim.momentum ? { momentum: sim.momentum } : {}), steps, family };
  const index = downsampleIndex(steps, b.points);
  const out: PreviewResult = { lrs: index.map((i) => sim.lrs[i]), steps, index, family };
  if (sim.momentum) out.momentum = index.map((i) => sim.momentum![i]);
  return out;
}

export function scheduleRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  const limit = config.limits.scheduleSteps;
  app.post('/v1/schedules/preview', {
    schema: {
      tags: ['schedules'],
      summary: 'Preview a PyTorch / Hugging Face / optax LR schedule',
      description:
        'The LR every optimizer step would use under a schedule written as in PyTorch (`{"type": "CosineAnnealingLR", "lr": 0.1, "T_max": 100}`), ' +
        'Hugging Face transformers (`{"type": "cosine", "lr": 3e-4, "num_warmup_steps": 10, "num_training_steps": 100}`) or optax ' +
        '(`{"type": "warmup_cosine_decay_schedule", "init_value": 0, "peak_value": 1e-3, "warmup_steps": 10, "decay_steps": 100}`). ' +
        '`lrs[i]` is the LR of optimizer step i: PyTorch `get_last_lr()` after i `scheduler.step()` calls, transformers `lr·λ(i)`, optax `schedule(i)`. ' +
        'Values match the libraries to 1e-12 (optax: float32, 1e-6). `momentum` is returned when the schedule cycles it (CyclicLR, OneCycleLR). ' +
        'ReduceLROnPlateau takes `metrics` (one per `step(metrics)`; `steps` defaults to metrics.length + 1). `points` downsamples for plotting. ' +
        'Invalid arguments are 400 problems naming the argument with the library\'s own message. ' +
        `At most ${limit} steps (LIMIT_SCHEDULE_STEPS). See docs/schedules.md.`,
      body: Type.Ref('SchedulePreviewRequest'),
      response: { 200: Type.Ref('SchedulePreviewResult'), ...problemResponses(400, 401, 413, 415) },
    },
  }, async (req: FastifyRequest<{ Body: SchedulePreviewRequest }>) => previewSchedule(req.body, limit));
}
