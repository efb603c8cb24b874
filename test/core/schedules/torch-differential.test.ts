/**
 * Differential check against real PyTorch: 110 seeded random specs (every class standalone,
 * ChainedScheduler and SequentialLR of 2–3 children, ReduceLROnPlateau on noisy metrics), run through
 * torch.optim.lr_scheduler 1.13.1 by fixtures/run_torch.py. Cases avoid the behaviours that changed
 * between 1.13 and main (a MultiplicativeLR after a SequentialLR milestone, composites nested in
 * SequentialLR). Compared at 1e-12 relative (observed worst: ~1e-15).
 */
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { simulateSchedule } from '../../../src/core/schedules/index.js';
import { expectClose } from './helpers.js';

interface Case {
  spec: { type: string };
  metrics?: number[];
  lrs: number[];
  momentum?: number[];
}
const doc = JSON.parse(readFileSync(new URL('./fixtures/torch-1.13.1-random.json', import.meta.url), 'utf8')) as {
  steps: number;
  cases: Case[];
};

describe('PyTorch 1.13.1 outputs for random specs (fixtures/torch-1.13.1-random.json)', () => {
  doc.cases.forEach((c, i) => {
    it(`#${i} ${c.spec.type}${'schedulers' in c.spec ? `(${(c.spec.schedulers as { type: string }[]).map((s) => s.type).join(', ')})` : ''}`, () => {
      const r = simulateSchedule(c.spec as never, doc.steps, c.metrics ? { metrics: c.metrics } : {});
      expectClose(r.lrs, c.lrs, 1e-12, 1e-15);
      if (c.momentum) expectClose(r.momentum ?? [], c.momentum, 1e-12, 1e-15);
    });
  });
});
