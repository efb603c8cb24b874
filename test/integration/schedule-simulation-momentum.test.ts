/**
 * The schedule-simulation runner (in process, scalar backend, no Redis) cycles momentum the way
 * torch's CyclicLR / OneCycleLR do: before step i the optimizer's SGD/RMSprop momentum or Adam
 * beta1 is the preview's momentum[i]. Checked against a hand-written training loop that sets the
 * optimizer's momentum itself (`optimizer.setMomentum(m); trainer.step(lr)`), and against the same
 * schedule with cycle_momentum false (same LRs, different training).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { countLayerParams } from '../../src/contracts/params.js';
import { resolveScheduleSimulation } from '../../src/kinds/schedule-simulations/resolve.js';
import type { ScheduleSimulationRequest } from '../../src/kinds/schedule-simulations/contract.js';
import { createScalarBackend } from '../../src/core/kernels/scalar.js';
import { simulateSchedule, type ScheduleSpec } from '../../src/core/schedules/index.js';
import { createTrainer } from '../../src/core/trainer.js';
import { runScheduleSimulation } from '../../src/kinds/schedule-simulations/run.js';
import { toTrainSpec } from '../../src/contracts/train-spec.js';

type Json = Record<string, any>;
const STEPS = 24;
const ONE_CYCLE = { type: 'OneCycleLR', max_lr: 0.05, total_steps: STEPS };

function simulate(optimizer: NonNullable<NonNullable<ScheduleSimulationRequest['train']>['optimizer']>) {
  const req = resolveScheduleSimulation(
    <ScheduleSimulationRequest>{
      schedules: [
        { name: 'cycled', schedule: ONE_CYCLE },
        { name: 'fixed', schedule: { ...ONE_CYCLE, cycle_momentum: false } },
      ],
      steps: STEPS,
      eval_every: 12,
      train: {
        data: { name: 'spirals', n_samples: 160, noise: 0.2 },
        model: { hidden: [8] },
        batch_size: 16,
        optimizer,
      },
    },
    { limits: loadConfig({}).limits, countParams: countLayerParams },
  );
  const gen = runScheduleSimulation(req, { backend: () => createScalarBackend(), dataset: () => undefined });
  let next = gen.next();
  while (!next.done) next = gen.next();
  const [cycled, fixed] = (next.value as Json).schedules as Json[];
  return { req, cycled, fixed };
}

/** The loop a PyTorch user writes: the scheduler sets the optimizer's momentum, then optimizer.step(). */
function handLoop(
  req: ReturnType<typeof simulate>['req'],
  lrs: number[],
  ms: number[],
  first: (o: Json) => Json = (o) => o,
): number[] {
  const spec = toTrainSpec(req.train, req.train.seed, 1e-3);
  const t = createTrainer(
    { ...spec, optimizer: first(spec.optimizer) as typeof spec.optimizer },
    { backend: createScalarBackend() },
  );
  return lrs.map((lr, i) => {
    t.optimizer.setMomentum(ms[i]);
    return t.step(lr).loss;
  });
}

describe('schedule simulation: momentum cycled like torch', () => {
  const preview = simulateSchedule(ONE_CYCLE as unknown as ScheduleSpec, STEPS);

  for (const [name, optimizer] of [
    ['SGD momentum', { type: 'sgd', momentum: 0.9 }],
    ['Adam beta1', { type: 'adam' }],
  ] as const) {
    it(`${name}: the preview's momentum is set before each step; no momentum_not_cycled warning`, () => {
      const { req, cycled, fixed } = simulate(optimizer);
      expect(cycled.momentum).toEqual(preview.momentum);
      expect(cycled.lrs).toEqual(preview.lrs);
      expect(cycled.warnings).toEqual([]);
      expect(fixed.momentum).toBeUndefined();
      expect(cycled.losses).toEqual(handLoop(req, cycled.lrs, cycled.momentum));
      // same LRs; the first update does not depend on momentum (SGD: buf = g; Adam: m̂ = g), later ones do
      expect(fixed.lrs).toEqual(cycled.lrs);
      expect(fixed.losses[0]).toBe(cycled.losses[0]);
      expect(fixed.losses.slice(2)).not.toEqual(cycled.losses.slice(2));
    });
  }

  it('RMSprop created with momentum 0 gets the momentum buffer torch creates (the first momentum is set before step 1)', () => {
    const { req, cycled } = simulate({ type: 'rmsprop' });
    expect(cycled.momentum).toEqual(preview.momentum);
    expect(cycled.stop_reason).toBe('completed');
    expect(cycled.losses).toEqual(
      handLoop(req, cycled.lrs, cycled.momentum, (o) => ({ ...o, momentum: cycled.momentum[0] })),
    );
  });
});
