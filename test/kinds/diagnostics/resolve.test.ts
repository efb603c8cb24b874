/** Diagnostics request resolution: presets, defaults, canonical check order, limits (no I/O). */
import { describe, expect, it } from 'vitest';
import { problem, resolveContext } from '../../helpers/resolve.js';
import type { DiagnosticsRequest } from '../../../src/kinds/diagnostics/contract.js';
import { PRESETS } from '../../../src/kinds/registry.js';
import { resolveDiagnostics, trainRows } from '../../../src/kinds/diagnostics/resolve.js';

const ctx = resolveContext;
const resolve = (body: DiagnosticsRequest, env: Record<string, string> = {}) => resolveDiagnostics(body, ctx(env));

describe('resolveDiagnostics', () => {
  it('{} is the spirals-diagnostics preset with every check and the defaults', () => {
    const r = resolve({});
    expect(r).toMatchObject({
      preset: 'spirals-diagnostics',
      lr: 1e-3,
      checks: ['data', 'init', 'gradients', 'overfit_batch'],
      overfit_steps: 200,
      tiny_batch: 8,
      batch_size: 64,
      seed: 0,
      clip_grad_norm: null,
      clip_grad_value: null,
      loss: { name: 'cross_entropy' },
      optimizer: { type: 'adam', betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
    });
    expect(r.data).toMatchObject({ name: 'spirals', n_samples: 1000, val_fraction: 0.2, standardize: true });
    expect(r.model.layers).toHaveLength(2);
  });

  it("lr defaults to 1e-3 (torch.optim.Adam's default); a request of its own model and data names no preset", () => {
    const r = resolve({ model: { hidden: [8] }, data: { name: 'moons', n_samples: 100 } });
    expect(r.preset).toBeNull();
    expect(r.lr).toBe(1e-3);
    expect(resolve({ preset: 'spirals-diagnostics', lr: 3e-4 }).lr).toBe(3e-4);
  });

  it('runs the checks asked for in the canonical order', () => {
    expect(resolve({ checks: ['overfit_batch', 'data'] }).checks).toEqual(['data', 'overfit_batch']);
  });

  it('the broken preset is a 6-layer ReLU net initialised with normal(0, 1)', () => {
    const r = resolve({ preset: 'broken-init-diagnostics' });
    expect(r.model.layers).toHaveLength(6);
    expect(
      r.model.layers.every(
        (l) => l.type === 'dense' && l.activation === 'relu' && l.init.name === 'normal' && l.init.std === 1,
      ),
    ).toBe(true);
    expect(PRESETS.find((p) => p.name === 'broken-init-diagnostics')?.kinds).toEqual(['diagnostics']);
  });

  it('refuses an unknown preset, or a range-test preset, naming the known ones', () => {
    const e = problem(() => resolve({ preset: 'spirals-mlp' }));
    expect(e.status).toBe(400);
    expect(e.errors[0].pointer).toBe('/preset');
    expect(e.message).toMatch(/spirals-diagnostics, broken-init-diagnostics/);
  });

  it('overfit_steps is bounded by LIMIT_NUM_ITER, batch_size and tiny_batch by LIMIT_BATCH_SIZE', () => {
    const steps = problem(() => resolve({ overfit_steps: 5001 }));
    expect(steps).toMatchObject({ status: 400, code: 'limit_exceeded' });
    expect(steps.errors[0].pointer).toBe('/overfit_steps');
    expect(steps.message).toMatch(/LIMIT_NUM_ITER/);
    expect(resolve({ overfit_steps: 50 }, { LIMIT_NUM_ITER: '50' }).overfit_steps).toBe(50);
    expect(problem(() => resolve({ tiny_batch: 100 }, { LIMIT_BATCH_SIZE: '64' })).errors[0].pointer).toBe(
      '/tiny_batch',
    );
    expect(problem(() => resolve({ batch_size: 100 }, { LIMIT_BATCH_SIZE: '64' })).errors[0].pointer).toBe(
      '/batch_size',
    );
  });

  it('tiny_batch must fit in the training split (unless overfit_batch is not run)', () => {
    const data = { name: 'iris' as const, n_samples: 20, val_fraction: 0.5 };
    expect(trainRows(resolve({ data }).data)).toBe(10);
    const e = problem(() => resolve({ data, tiny_batch: 11 }));
    expect(e.errors[0].pointer).toBe('/tiny_batch');
    expect(e.message).toMatch(/only 10 rows/);
    expect(resolve({ data, tiny_batch: 10 }).tiny_batch).toBe(10);
    expect(resolve({ data, tiny_batch: 11, checks: ['init'] }).checks).toEqual(['init']);
  });

  it("model, loss and data go through the range test's resolution (same errors)", () => {
    expect(problem(() => resolve({ loss: 'mse' })).errors[0].pointer).toBe('/loss');
    expect(problem(() => resolve({ model: { hidden: [4096, 4096] } }, { LIMIT_MODEL_PARAMS: '1000' })).code).toBe(
      'limit_exceeded',
    );
  });
});
