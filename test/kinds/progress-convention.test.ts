/**
 * One convention for counting (README "Try it", the Progress schema): a progress point's
 * `iteration` is how many steps are done (1 … total); the point it reports is the result's 0-based
 * point `iteration − 1`, which is the CSV's `iteration` (range tests) or `step` (schedule
 * simulations) column and a suggestion's `index`.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { countLayerParams } from '../../src/contracts/params.js';
import { findKind } from '../../src/kinds/registry.js';
import { chooseBackend } from '../../workers/backend.js';

const ctx = { limits: loadConfig({}).limits, countParams: countLayerParams, datasets: new Map() };

function run(kind: string, body: unknown) {
  const k = findKind(kind)!;
  const req = k.resolve(body, ctx);
  const g = k.run(req, { backend: chooseBackend, dataset: () => undefined });
  const progress: Record<string, any>[] = [];
  let n = g.next();
  while (!n.done) {
    progress.push(JSON.parse(JSON.stringify(n.value)));
    n = g.next();
  }
  const result = n.value;
  const csv = k.views
    .csv!.render(result, req)
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  return { progress, result: JSON.parse(JSON.stringify(result)) as Record<string, any>, csv };
}

describe('progress iteration = steps done; the point is iteration − 1 everywhere else', () => {
  it('range test (2 repeats): progress k+1 is lrs[k] and losses[k], the CSV row with iteration k; counts across runs', () => {
    const { progress, result, csv } = run('lr-range-tests', { preset: 'iris-mlp', num_iter: 30, repeats: 2 });
    expect(progress).toHaveLength(60);
    expect(progress.map((p) => p.iteration)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(progress.at(-1)).toMatchObject({ iteration: 60, total: 60 });
    for (let k = 0; k < 30; k++) {
      expect(progress[k].lr).toBe(result.lrs[k]);
      expect(progress[k].loss).toBe(result.losses[k]);
      expect(Number(csv[k + 1][0])).toBe(k);
      expect(Number(csv[k + 1][1])).toBe(result.lrs[k]);
    }
    expect(csv[0].slice(0, 2)).toEqual(['iteration', 'lr']);
    // the suggestion's index is the same 0-based point: its lr is lrs[index] (minimum: lrs[index] / 10)
    const s = result.suggestion;
    expect(s.lr).toBe(s.method === 'minimum' ? result.lrs[s.index] / 10 : result.lrs[s.index]);
  });

  it('schedule simulation: counts across schedules; point iteration − 1 of its schedule is the CSV step', () => {
    const body = {
      preset: 'spirals-schedules',
      steps: 12,
      schedules: [
        { name: 'constant', schedule: { type: 'constant', lr: 0.01 } },
        { name: 'step', schedule: { type: 'StepLR', lr: 0.01, step_size: 4 } },
      ],
    };
    const { progress, result, csv } = run('schedule-simulations', body);
    expect(progress.map((p) => p.iteration)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(progress.at(-1)).toMatchObject({ iteration: 24, total: 24 });
    const byName = Object.fromEntries(result.schedules.map((s: any) => [s.name, s]));
    for (const p of progress) {
      const k = (p.iteration - 1) % 12;
      expect(p.lr).toBe(byName[p.schedule].lrs[k]);
      const row = csv.find((r) => r[0] === p.schedule && r[1] === String(k));
      expect(Number(row![2])).toBe(p.lr);
    }
  });
});
