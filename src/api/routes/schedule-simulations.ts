/** POST /v1/schedule-simulations and friends: train the same model under several schedules and rank them. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { countLayerParams } from '../../contracts/params.js';
import { resolveScheduleSimulation } from '../../kinds/schedule-simulations/resolve.js';
import type { ScheduleSimulationRequest } from '../../contracts/schedules.js';
import { registerJobRoutes } from './jobs.js';

export function scheduleSimulationRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  registerJobRoutes(app, {
    kind: 'schedule-simulations',
    tag: 'schedule-simulations',
    summary: 'Queue a schedule simulation: the same training under 2 to 8 LR schedules, ranked',
    description:
      'Trains the same model on the same data from the same seed (same initial weights, same minibatches) once per schedule, ' +
      'the LR of each step coming from the schedule (PyTorch / Hugging Face / optax specs as in POST /v1/schedules/preview; ' +
      'ReduceLROnPlateau steps on the validation loss every `eval_every` steps, default once per epoch). ' +
      'The result has, per schedule, the LRs, the minibatch losses, the evaluation losses, final train and validation loss and accuracy, ' +
      'divergence (a loss above `diverge_th` × the first loss, or NaN/Inf), and a ranking by final validation loss (diverged runs last). ' +
      'A schedule that cycles momentum (CyclicLR / OneCycleLR with cycle_momentum, the default) also sets SGD / RMSprop momentum or Adam beta1 each step, as PyTorch does, and reports it as `momentum`. ' +
      'Schedules run one after another inside the job; several jobs run in parallel on several workers. ' +
      '`{"preset": "spirals-schedules"}` (or `{}`) runs a complete example. ' +
      `Limits: steps ≤ ${config.limits.scheduleSteps} (LIMIT_SCHEDULE_STEPS), steps × schedules ≤ ${config.limits.simulationSteps} (LIMIT_SIMULATION_STEPS).`,
    requestRef: 'ScheduleSimulationRequest',
    jobRef: 'ScheduleSimulationJob',
    resolve: (body, datasets) => resolveScheduleSimulation(body as ScheduleSimulationRequest, { limits: config.limits, countParams: countLayerParams, datasets }),
  });
}
