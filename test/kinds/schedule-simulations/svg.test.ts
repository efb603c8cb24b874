/** Schedule-simulation plot: one curve per schedule. */
import { describe, expect, it } from 'vitest';
import type { ScheduleSimulationResult } from '../../../src/kinds/schedule-simulations/contract.js';
import {
  renderScheduleSimulationSvg as render,
  SCHEDULE_LAYOUT as S,
} from '../../../src/kinds/schedule-simulations/svg.js';
import { parseXml } from '../../helpers/xml.js';

/** The plot of a result that has only the fields a test looks at. */
const renderScheduleSimulationSvg = (result: object) => render(result as ScheduleSimulationResult);

describe('renderScheduleSimulationSvg', () => {
  const cosine = Array.from({ length: 11 }, (_, i) => 0.05 * (1 + Math.cos((Math.PI * i) / 10)));
  const result = {
    schedules: [
      { name: 'CosineAnnealingLR', lrs: cosine, losses: cosine.map((_, i) => 2 - 0.1 * i) },
      {
        name: 'StepLR <&>',
        lrs: cosine.map((_, i) => (i < 5 ? 0.1 : 0.01)),
        losses: cosine.map((_, i) => (i === 3 ? null : 2 - 0.05 * i)),
      },
    ],
  };

  it('is well-formed, one LR curve and one loss curve per schedule, names escaped in the legend', () => {
    const svg = renderScheduleSimulationSvg(result);
    const els = parseXml(svg);
    expect(els.filter((e) => e.attrs.class === 'lr-curve')).toHaveLength(2);
    expect(els.filter((e) => e.attrs.class === 'loss-curve')).toHaveLength(2);
    expect(els.some((e) => e.name === 'text' && e.text === 'StepLR <&>')).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('puts step i at its linear x position and the LR at its linear y position', () => {
    const els = parseXml(renderScheduleSimulationSvg(result));
    const d = els.find((e) => e.attrs.class === 'lr-curve')!.attrs.d;
    const pts = [...d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(pts).toHaveLength(11);
    const x1 = S.width - S.right;
    pts.forEach(([x], i) => expect(x).toBeCloseTo(S.left + (i / 10) * (x1 - S.left), 1));
    // y: 0 at the panel bottom, max LR (0.1) at 1/1.04 of the panel height
    expect(pts[0][1]).toBeCloseTo(S.top + S.panel - (0.1 / (0.1 * 1.04)) * S.panel, 1);
    expect(pts[10][1]).toBeCloseTo(S.top + S.panel, 1);
  });

  it('draws evaluation losses dashed at their eval_steps and names the best schedule', () => {
    const withEval = {
      ranking: ['CosineAnnealingLR', 'StepLR <&>'],
      ranked_by: 'val_loss',
      schedules: result.schedules.map((s) => ({ ...s, eval_steps: [0, 5, 10], eval_losses: [2.1, 1.6, 1.2] })),
    };
    const els = parseXml(renderScheduleSimulationSvg(withEval));
    const evals = els.filter((e) => e.attrs.class === 'eval-curve');
    expect(evals).toHaveLength(2);
    expect(evals[0].attrs['stroke-dasharray']).toBeDefined();
    expect(evals[0].attrs.d.match(/[ML]/g)).toHaveLength(3);
    expect(els.find((e) => e.name === 'title')!.text).toBe(
      'Schedule simulation · 2 schedules · best by val_loss: CosineAnnealingLR',
    );
  });

  it('without losses, only the LR panel', () => {
    const els = parseXml(renderScheduleSimulationSvg({ schedules: [{ name: 'a', lrs: [1, 2, 3] }] }));
    expect(els.some((e) => e.attrs.id === 'lr-panel')).toBe(true);
    expect(els.some((e) => e.attrs.id === 'loss-panel')).toBe(false);
  });
});
