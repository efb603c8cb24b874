/** The schedule simulation job kind: POST /v1/schedule-simulations and its views. See ../kind.ts for the parts. */
import { uploadIds } from '../../contracts/resolve.js';
import { defineKind } from '../kind.js';
import {
  KIND,
  ScheduleSimulationJob,
  ScheduleSimulationRequest,
  ScheduleSimulationResult,
  ScheduleSimulationSummary,
} from './contract.js';
import { renderScheduleCsv } from './csv.js';
import { PRESETS } from './presets.js';
import { resolveScheduleSimulation } from './resolve.js';
import { runScheduleSimulation } from './run.js';
import { renderScheduleSimulationSvg } from './svg.js';

export const scheduleSimulations = defineKind({
  name: KIND,
  noun: { a: 'a', one: 'schedule simulation', many: 'schedule simulations' },
  description: 'the same training under several LR schedules, compared and ranked',
  post: {
    summary: 'Queue a schedule simulation: the same training under 2 to 8 LR schedules, ranked',
    description: (limits) =>
      'Trains the same model on the same data from the same seed (same initial weights, same minibatches) once per schedule, ' +
      'the LR of each step coming from the schedule (PyTorch / Hugging Face / optax specs as in POST /v1/schedules/preview; ' +
      'ReduceLROnPlateau steps on the validation loss every `eval_every` steps, default once per epoch). ' +
      'The result has, per schedule, the LRs, the minibatch losses, the evaluation losses, final train and validation loss and accuracy, ' +
      'divergence (a loss above `diverge_th` × the first loss, or NaN/Inf), and a ranking by final validation loss (diverged runs last). ' +
      'A schedule that cycles momentum (CyclicLR / OneCycleLR with cycle_momentum, the default) also sets SGD / RMSprop momentum or Adam beta1 each step, as PyTorch does, and reports it as `momentum`. ' +
      'Schedules run one after another inside the job; several jobs run in parallel on several workers. ' +
      '`{"preset": "spirals-schedules"}` (or `{}`) runs a complete example. ' +
      `Limits: steps ≤ ${limits.scheduleSteps} (LIMIT_SCHEDULE_STEPS), steps × schedules ≤ ${limits.simulationSteps} (LIMIT_SIMULATION_STEPS).`,
  },
  schemas: {
    request: ScheduleSimulationRequest,
    result: ScheduleSimulationResult,
    job: ScheduleSimulationJob,
    components: [ScheduleSimulationRequest, ScheduleSimulationResult, ScheduleSimulationJob],
  },
  presets: PRESETS,
  resolve: resolveScheduleSimulation,
  datasetIds: (request: { train?: { data?: unknown } }) => uploadIds(request.train?.data),
  run: runScheduleSimulation,
  summary: {
    schema: ScheduleSimulationSummary,
    of: (r) => ({ best_schedule: r.ranking[0] }),
  },
  views: {
    svg: {
      description: 'LR and loss against the step, one colour per schedule (evaluation losses dashed).',
      render: renderScheduleSimulationSvg,
    },
    csv: {
      description: '`schedule,step,lr,loss`, one block of rows per schedule.',
      render: renderScheduleCsv,
    },
  },
});
