/** POST /v1/schedules/preview: the LR (and momentum) of every optimizer step under a schedule, synchronously
 * (src/sync/schedule-preview/). */
import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { problemResponses } from '../../contracts/common.js';
import type { SchedulePreviewRequest } from '../../sync/schedule-preview/contract.js';
import { previewSchedule } from '../../sync/schedule-preview/preview.js';

export function scheduleRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  const limit = config.limits.scheduleSteps;
  app.post(
    '/v1/schedules/preview',
    {
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
          "Invalid arguments are 400 problems naming the argument with the library's own message. " +
          `At most ${limit} steps (LIMIT_SCHEDULE_STEPS), and steps × schedulers in the tree ≤ ${config.limits.scheduleWork} (LIMIT_SCHEDULE_WORK). See docs/schedules.md.`,
        body: Type.Ref('SchedulePreviewRequest'),
        response: { 200: Type.Ref('SchedulePreviewResult'), ...problemResponses(400, 401, 413, 415) },
      },
    },
    async (req: FastifyRequest<{ Body: SchedulePreviewRequest }>) =>
      previewSchedule(req.body, limit, config.limits.scheduleDepth, config.limits.scheduleWork),
  );
}
