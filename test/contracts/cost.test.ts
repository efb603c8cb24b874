/** Admission-time bounds on a job's size: LIMIT_LAYERS and the cost estimate LIMIT_JOB_FLOPS, for every job kind. */
import { describe, expect, it } from 'vitest';
import { countLayers, estimateFlops } from '../../src/contracts/cost.js';
import { resolveDiagnostics } from '../../src/kinds/diagnostics/resolve.js';
import { resolveRangeTest } from '../../src/kinds/lr-range-tests/resolve.js';
import { resolveScheduleSimulation } from '../../src/kinds/schedule-simulations/resolve.js';
import { problem, resolveContext } from '../helpers/resolve.js';

/** A deep residual model (the one that stored a 466 MB result): `blocks` blocks of 2 dense layers. */
const deepResidual = (blocks: number) => ({
  layers: [
    { type: 'dense', units: 8, activation: 'relu' },
    ...Array.from({ length: blocks }, () => ({
      type: 'residual',
      layers: [
        { type: 'dense', units: 8, activation: 'relu' },
        { type: 'dense', units: 8 },
      ],
    })),
  ],
});

describe('LIMIT_LAYERS', () => {
  it('counts residual blocks and their inner layers', () => {
    expect(countLayers([{ type: 'dense', units: 2, activation: 'relu', init: { name: 'default' }, bias: true }])).toBe(
      1,
    );
    expect(
      countLayers([
        {
          type: 'residual',
          layers: [
            { type: 'dense', units: 2, activation: 'relu', init: { name: 'default' }, bias: true },
            { type: 'dropout', p: 0.1 },
          ],
        },
      ]),
    ).toBe(3);
  });

  it('a ~1,000-layer residual model is a 400 at /model naming the limit, before anything runs', () => {
    const p = problem(() => resolveRangeTest({ model: deepResidual(333) as never, num_iter: 5000 }, resolveContext()));
    expect(p.status).toBe(400);
    expect(p.code).toBe('limit_exceeded');
    expect(p.errors[0].pointer).toBe('/model');
    expect(p.message).toContain('1001');
    expect(p.message).toContain('LIMIT_LAYERS');
  });

  it('at the limit it passes, one more layer does not (the output layer counts)', () => {
    // 1 + 3·blocks hidden layers + the output layer = 64 with 21 blocks
    expect(() =>
      resolveRangeTest({ model: deepResidual(21) as never }, resolveContext({ LIMIT_LAYERS: '65' })),
    ).not.toThrow();
    expect(
      problem(() => resolveRangeTest({ model: deepResidual(21) as never }, resolveContext({ LIMIT_LAYERS: '64' })))
        .message,
    ).toContain('65');
  });

  it('applies to schedule simulations and diagnostics too, at their own pointers', () => {
    const ctx = resolveContext({ LIMIT_LAYERS: '10' });
    expect(
      problem(() =>
        resolveScheduleSimulation({ preset: 'spirals-schedules', train: { model: deepResidual(5) } } as never, ctx),
      ).errors[0].pointer,
    ).toBe('/train/model');
    expect(problem(() => resolveDiagnostics({ model: deepResidual(5) } as never, ctx)).errors[0].pointer).toBe(
      '/model',
    );
  });
});

describe('LIMIT_JOB_FLOPS', () => {
  it('6 × parameters × batch × steps', () => {
    expect(estimateFlops({ params: 1000, batch: 64, steps: 100 })).toBe(38_400_000);
  });

  it('a range test whose estimate is above the limit is a 400 at /num_iter naming every factor and the limit', () => {
    // spirals-mlp: 2 → 64 → 64 → 2 dense = 192 + 4160 + 130 = 4482 parameters
    const body = { preset: 'spirals-mlp', num_iter: 1000, batch_size: 64, repeats: 2 };
    const flops = 6 * 4482 * 64 * 2000;
    expect(() => resolveRangeTest(body, resolveContext({ LIMIT_JOB_FLOPS: String(flops) }))).not.toThrow();
    const p = problem(() => resolveRangeTest(body, resolveContext({ LIMIT_JOB_FLOPS: String(flops - 1) })));
    expect(p.code).toBe('limit_exceeded');
    expect(p.errors[0].pointer).toBe('/num_iter');
    for (const part of ['4482 parameters', 'batch_size 64', 'num_iter 1000 × repeats 2', 'LIMIT_JOB_FLOPS'])
      expect(p.message).toContain(part);
  });

  it('schedule simulations count steps × schedules, diagnostics the overfit steps', () => {
    const ctx = resolveContext({ LIMIT_JOB_FLOPS: '1000' });
    expect(
      problem(() => resolveScheduleSimulation({ preset: 'spirals-schedules' } as never, ctx)).errors[0].pointer,
    ).toBe('/steps');
    expect(problem(() => resolveDiagnostics({ preset: 'spirals-diagnostics' } as never, ctx)).errors[0].pointer).toBe(
      '/overfit_steps',
    );
  });
});
