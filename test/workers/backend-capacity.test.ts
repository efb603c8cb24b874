/**
 * Every runner sizes its WASM backend from the spec: a model at LIMIT_MODEL_PARAMS (≈ 2M
 * parameters, more than the SIMD backend's 8 Mi-float default holds with Adam's state) trains.
 */
import { describe, expect, it } from 'vitest';
import { resolveScheduleSimulation } from '../../src/kinds/schedule-simulations/resolve.js';
import { chooseBackend } from '../../workers/backend.js';
import { runScheduleSimulation } from '../../src/kinds/schedule-simulations/run.js';
import { resolveContext } from '../helpers/resolve.js';

describe('backend capacity', () => {
  it('a schedule simulation of a ~2M-parameter model runs on a spec-sized SIMD backend', () => {
    const req = resolveScheduleSimulation(
      {
        schedules: [
          { name: 'a', schedule: { type: 'constant', lr: 1e-3 } },
          { name: 'b', schedule: { type: 'StepLR', lr: 1e-3, step_size: 1 } },
        ],
        steps: 2,
        train: {
          model: { hidden: [1400, 1400], activation: 'relu' },
          data: { name: 'moons', n_samples: 128 },
          optimizer: { type: 'adam' },
          batch_size: 64,
          seed: 0,
        },
      },
      resolveContext(),
    );
    const g = runScheduleSimulation(req, { backend: chooseBackend, dataset: () => undefined });
    let n = g.next();
    while (!n.done) n = g.next();
    const r = n.value as { schedules: { steps_run: number; stop_reason: string }[] };
    expect(r.schedules.map((s) => [s.steps_run, s.stop_reason])).toEqual([
      [2, 'completed'],
      [2, 'completed'],
    ]);
  });
});
