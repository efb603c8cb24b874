/**
 * The LR search's plot and table: well-formed SVG with the recommended-LR marker and the interval
 * band where a log axis over whole decades puts them (computed here from the layout), one marker
 * per candidate by kind; the CSV one row per candidate with the interval and the pick flagged.
 */
import { describe, expect, it } from 'vitest';
import type { LrSearchResult } from '../../../src/kinds/lr-searches/contract.js';
import { renderLrSearchCsv } from '../../../src/kinds/lr-searches/csv.js';
import type { ResolvedLrSearch } from '../../../src/kinds/lr-searches/resolve.js';
import { renderLrSearchSvg } from '../../../src/kinds/lr-searches/svg.js';
import { SEARCH_LAYOUT as L } from '../../../src/views/search-plot.js';
import { readCsv } from '../../helpers/csv.js';
import { parseXml } from '../../helpers/xml.js';

const cand = (
  lr: number,
  o: Partial<LrSearchResult['candidates'][number]> = {},
): LrSearchResult['candidates'][number] => ({
  lr,
  reason: 'screen',
  why: 'screened',
  steps: 100,
  metric: 0.5,
  at_horizon: true,
  diverged: false,
  stop_reason: 'completed',
  curve: [1, 0.5],
  curve_every: 50,
  ...o,
});

const result: LrSearchResult = {
  recommended_lr: 0.01,
  recommended_metric: 0.2,
  metric: 'val_loss',
  initial_metric: 0.7,
  interval: { low: 0.001, high: 0.01 },
  confidence: { level: 'medium', p_within_tolerance: 0.8, noise: 0.05, noise_source: 'measured' },
  candidates: [
    cand(1e-4, { steps: 10, metric: 0.6, at_horizon: false }),
    cand(1e-3, { metric: 0.21 }),
    cand(1e-2, { metric: 0.2 }),
    cand(1e-1, { metric: 0.3 }),
    cand(1, { steps: 3, metric: null, at_horizon: false, diverged: true, stop_reason: 'diverged' }),
  ],
  range_test: {
    lrs: [1e-7, 1e-4, 1e-1, 1],
    losses: [0.7, 0.6, 0.4, 5],
    smoothed_losses: [0.7, 0.65, 0.5, 2],
    stop_reason: 'diverged',
    suggestions: { valley: { lr: 1e-4, index: 1 } },
    top_lr: 1,
  },
  cost: { steps: 350, range_test_steps: 4, trial_steps: 346, budget_steps: 400, grid_steps: 1300 },
  train_steps: 100,
  tolerance: 0.1,
  warnings: [],
  seed: 0,
};
const request = { preset: 'x "<&', optimizer: { type: 'adam' }, schedule: null } as unknown as ResolvedLrSearch;

/** candidates span 1e-4 … 1: the axis is their decades and one more on each side, 1e-5 … 10 */
const xOf = (lr: number) => L.left + ((Math.log10(lr) + 5) / 6) * (L.width - L.right - L.left);

describe('renderLrSearchSvg', () => {
  const svg = renderLrSearchSvg(result, request);
  const els = parseXml(svg);
  it('is a well-formed, self-contained SVG (text escaped, no NaN)', () => {
    expect(els[0].name).toBe('svg');
    expect(svg).not.toMatch(/<script|NaN|Infinity|undefined/);
    expect(svg).toContain('x &quot;&lt;&amp;');
  });
  it('marks the recommended LR and draws the interval band at their log-axis positions', () => {
    const rec = els.find((e) => e.attrs.id === 'recommended-lr')!;
    const line = els[els.indexOf(rec) + 1];
    expect(Number(line.attrs.x1)).toBeCloseTo(xOf(0.01), 1);
    const band = els.find((e) => e.attrs.id === 'interval')!;
    expect(Number(band.attrs.x)).toBeCloseTo(xOf(0.001), 1);
    expect(Number(band.attrs.x) + Number(band.attrs.width)).toBeCloseTo(xOf(0.01), 1);
  });
  it('draws every candidate: horizon-trained filled, stopped earlier hollow with its steps, diverged as a cross', () => {
    const kinds = (c: string) =>
      els.filter((e) => e.attrs.class === `candidate ${c}`).map((e) => Number(e.attrs['data-lr']));
    expect(kinds('horizon')).toEqual([1e-3, 1e-2, 1e-1]);
    expect(kinds('diverged')).toEqual([1]);
    // 0.6 after 10 steps is above the axis the horizon-trained metrics set (0.2 … 0.3): drawn on the top edge, marked
    expect(kinds('shorter')).toEqual([1e-4]);
    const early = els.find((e) => e.attrs.class === 'candidate shorter')!;
    expect(early.attrs['data-off-scale']).toBe('above');
    expect(early.attrs['data-steps']).toBe('10');
    const label = els.slice(els.indexOf(early)).find((e) => e.name === 'text')!;
    expect(label.text).toBe('10');
    const dot = els.find((e) => e.attrs.class === 'candidate horizon' && e.attrs['data-lr'] === '0.01')!;
    const circle = els[els.indexOf(dot) + 1];
    expect(Number(circle.attrs.cx)).toBeCloseTo(xOf(0.01), 1);
  });
  it('draws an earlier stop inside the scale where its metric is, and a one-point interval visibly', () => {
    const one = renderLrSearchSvg(
      {
        ...result,
        interval: { low: 0.01, high: 0.01 },
        candidates: [
          cand(1e-3, { steps: 63, metric: 0.25, at_horizon: false }),
          cand(1e-2, { metric: 0.2 }),
          cand(1e-1, { metric: 0.3 }),
        ],
      },
      request,
    );
    const e2 = parseXml(one);
    const early = e2.find((e) => e.attrs.class === 'candidate shorter')!;
    expect(early.attrs['data-off-scale']).toBeUndefined();
    const circle = e2[e2.indexOf(early) + 1];
    expect(circle.name).toBe('circle');
    // 0.25 is halfway between 0.2 and 0.3 on the padded axis: the middle of the metric panel
    expect(Number(circle.attrs.cy)).toBeCloseTo((L.top + L.metricBottom) / 2, 0);
    const band = e2.find((e) => e.attrs.id === 'interval')!;
    expect(Number(band.attrs.width)).toBeGreaterThanOrEqual(6);
    expect(Number(band.attrs.x) + Number(band.attrs.width) / 2).toBeCloseTo(xOf(0.01), 1);
    expect(band.attrs.stroke).toBeTruthy();
  });
  it('gives the range test its own panel and axis under the metric panel', () => {
    const path = els.find((e) => e.attrs.id === 'range-test')!;
    const ys = [...path.attrs.d.matchAll(/[ML]-?[\d.]+,(-?[\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys.length).toBe(4);
    for (const y of ys) {
      expect(y).toBeGreaterThanOrEqual(L.rangeTop);
      expect(y).toBeLessThanOrEqual(L.height - L.bottom);
    }
    const axis = els.find((e) => String(e.attrs.class).includes('range-test-axis'))!;
    expect(axis).toBeDefined();
    expect(els.some((e) => e.name === 'text' && e.text === 'range test loss')).toBe(true);
  });
  it('renders a search with no recommendation (everything diverged)', () => {
    const none = {
      ...result,
      recommended_lr: null,
      recommended_metric: null,
      interval: null,
      candidates: [cand(1, { diverged: true, at_horizon: false, metric: null })],
    };
    const s = renderLrSearchSvg(none, request);
    expect(() => parseXml(s)).not.toThrow();
    expect(s).not.toMatch(/NaN|Infinity/);
  });
});

describe('renderLrSearchCsv', () => {
  it('one row per candidate, the interval and the recommended LR flagged, empty metric where it diverged', () => {
    const rows = readCsv(renderLrSearchCsv(result));
    expect(rows[0]).toEqual([
      'lr',
      'reason',
      'steps',
      'metric',
      'at_horizon',
      'diverged',
      'stop_reason',
      'in_interval',
      'recommended',
    ]);
    expect(rows.slice(1).map((r) => [r[0], r[7], r[8]])).toEqual([
      ['0.0001', 'false', 'false'],
      ['0.001', 'true', 'false'],
      ['0.01', 'true', 'true'],
      ['0.1', 'false', 'false'],
      ['1', 'false', 'false'],
    ]);
    expect(rows[5][3]).toBe('');
    expect(rows[5][6]).toBe('diverged');
  });
});
