/**
 * The range-test plot: well-formed, self-contained XML; the suggested-LR marker where a log10
 * axis over whole decades puts it (computed here from the layout, independently of the scale
 * code); decade ticks; the loss axis clipped so a blow-up does not flatten the curve; text escaped.
 */
import { describe, expect, it } from 'vitest';
import type { LrRangeTestResult } from '../../../src/kinds/lr-range-tests/contract.js';
import type { ResolvedRangeTest } from '../../../src/kinds/lr-range-tests/resolve.js';
import {
  curveAt,
  RANGE_TEST_LAYOUT as L,
  renderRangeTestSvg as render,
} from '../../../src/kinds/lr-range-tests/svg.js';
import { esc, lossAxisRange } from '../../../src/views/svg.js';
import { LRS, SMOOTH } from '../../lrfinder/fixtures.js';
import { parseXml, type XmlElement } from '../../helpers/xml.js';

/** The plot of a result and request that have only the fields a test looks at. */
const renderRangeTestSvg = (result: object | null, request?: object) =>
  render(result as LrRangeTestResult, request as ResolvedRangeTest);

const n = SMOOTH.length; // 98 points, 1e-7 … ~8.3
const lrs = LRS.slice(0, n);
const raw = SMOOTH.map((v, i) => v + (i % 2 ? 0.01 : -0.01));
const result = {
  lrs,
  losses: raw,
  smoothed_losses: SMOOTH,
  grad_norms: SMOOTH.map(() => 1),
  suggested_lr: lrs[45],
  suggestion: { method: 'valley', lr: lrs[45], index: 45 },
  suggestions: {
    valley: { lr: lrs[45], index: 45 },
    steepest: { lr: lrs[57], index: 57 },
    minimum: { lr: lrs[85], index: 85 },
    slide: { lr: null, index: null, reason: 'too few points' },
  },
  best_lr: lrs[85],
  best_loss: Math.min(...SMOOTH),
  stop_reason: 'diverged',
  iterations: n,
  warnings: [],
  seed: 0,
};
const request = {
  preset: 'spirals-mlp',
  start_lr: 1e-7,
  end_lr: 10,
  num_iter: 100,
  step_mode: 'exp',
  optimizer: { type: 'sgd' },
  seed: 0,
};

const byId = (els: XmlElement[], id: string) => els.find((e) => e.attrs.id === id);
/** x of an LR on a log axis spanning the decades 1e-7 … 1e1 (the LRs' enclosing decades) */
const xOf = (lr: number) => L.left + ((Math.log10(lr) - -7) / (1 - -7)) * (L.width - L.right - L.left);

describe('renderRangeTestSvg', () => {
  const svg = renderRangeTestSvg(result, request);
  const els = parseXml(svg);

  it('is one well-formed, self-contained <svg> document', () => {
    expect(els[0].name).toBe('svg');
    expect(els[0].attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg).not.toMatch(/<script|<image|<foreignObject|href=|@import|url\((?!#)/i);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('puts the suggested-LR marker at the log-axis position of suggested_lr', () => {
    const g = byId(els, 'suggested-lr')!;
    expect(g).toBeDefined();
    expect(Number(g.attrs['data-lr'])).toBe(lrs[45]);
    const line = els[els.indexOf(g) + 1];
    expect(line.name).toBe('line');
    expect(Number(line.attrs.x1)).toBeCloseTo(xOf(lrs[45]), 1);
    expect(Number(line.attrs.x2)).toBeCloseTo(xOf(lrs[45]), 1);
    // lrs[45] = 4.33e-4: 3.36 decades above 1e-7 of 8, i.e. 42% of the plot width
    expect((Number(line.attrs.x1) - L.left) / (L.width - L.right - L.left)).toBeCloseTo(
      (Math.log10(4.3287612810830566e-4) + 7) / 8,
      3,
    );
    const label = els.slice(els.indexOf(g)).find((e) => e.name === 'text')!;
    expect(label.text).toBe('valley: 4.33e-4');
  });

  it('marks every method with a pick, faintly, at its LR; none for a method without one', () => {
    const markers = els.filter((e) => e.attrs.class === 'method-marker');
    expect(markers.map((m) => m.attrs['data-method']).sort()).toEqual(['minimum', 'steepest', 'valley']);
    const steepest = markers.find((m) => m.attrs['data-method'] === 'steepest')!;
    const line = els[els.indexOf(steepest) + 1];
    expect(Number(line.attrs.x1)).toBeCloseTo(xOf(lrs[57]), 1);
    expect(Number(steepest.attrs.opacity)).toBeLessThan(1);
    expect(els.some((e) => e.name === 'text' && e.text === 'slide: none')).toBe(true);
  });

  it('has a tick at every decade from 1e-7 to 10, at its log position, labelled', () => {
    const ticks = els.filter((e) => e.attrs.class === 'decade-tick');
    expect(ticks.map((t) => Number(t.attrs['data-decade']))).toEqual([-7, -6, -5, -4, -3, -2, -1, 0, 1]);
    for (const t of ticks) expect(Number(t.attrs.x1)).toBeCloseTo(xOf(10 ** Number(t.attrs['data-decade'])), 1);
    const labels = els.filter((e) => e.name === 'text').map((e) => e.text);
    for (const l of ['1e-7', '1e-4', '0.01', '0.1', '1', '10']) expect(labels).toContain(l);
  });

  it('draws the smoothed loss solid and the raw loss faint, and titles the plot with stop_reason', () => {
    const smooth = byId(els, 'smoothed-loss')!;
    const rawPath = byId(els, 'raw-loss')!;
    expect(Number(rawPath.attrs['stroke-opacity'])).toBeLessThan(1);
    expect(smooth.attrs['stroke-opacity']).toBeUndefined();
    expect(smooth.attrs.d.match(/[ML]/g)).toHaveLength(n);
    const title = els.find((e) => e.name === 'title')!;
    expect(title.text).toContain('stop_reason: diverged');
    expect(title.text).toContain('4.33e-4 (valley)');
  });

  it('breaks the line at a null loss instead of drawing through it', () => {
    const withGap = { ...result, smoothed_losses: SMOOTH.map((v, i) => (i === 50 ? null : v)) };
    const d = byId(parseXml(renderRangeTestSvg(withGap, request)), 'smoothed-loss')!.attrs.d;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/[ML]/g)).toHaveLength(n - 1);
  });

  it('escapes text from the request and the result', () => {
    const evil = '"/><script>alert(1)</script>&';
    const s = renderRangeTestSvg(
      { ...result, suggestion: { method: evil, lr: lrs[45], index: 45 }, stop_reason: evil },
      { ...request, preset: evil, optimizer: { type: evil } },
    );
    expect(s).not.toContain('<script');
    const parsed = parseXml(s);
    expect(parsed.find((e) => e.name === 'title')!.text).toContain(evil);
    expect(esc('a<b & "c\'')).toBe('a&lt;b &amp; &quot;c&#39;');
  });

  it('renders something well-formed for empty or odd results (no NaN coordinates)', () => {
    for (const r of [
      {},
      null,
      { lrs: [], losses: [] },
      { lrs: [1e-3], losses: [null], suggested_lr: null, suggestions: { valley: null } },
    ]) {
      const s = renderRangeTestSvg(r, undefined);
      expect(() => parseXml(s)).not.toThrow();
      expect(s).not.toMatch(/NaN|Infinity/);
    }
  });
});

describe('markers sit on the smoothed curve at their LR', () => {
  it('curveAt: exact at recorded LRs, log-linear between them, null off the curve or across a gap', () => {
    const xs = [1e-3, 1e-2, 1e-1];
    expect(curveAt(xs, [3, 2, 1], 1e-2)).toBe(2);
    expect(curveAt(xs, [3, 2, 1], 10 ** -2.5)).toBeCloseTo(2.5, 12);
    expect(curveAt(xs, [3, 2, 1], 1)).toBeNull();
    expect(curveAt(xs, [3, null, 1], 10 ** -2.5)).toBeNull();
  });

  it("fastai's minimum (LR of the lowest loss / 10) is drawn at the curve's height at that LR, not at the minimum's", () => {
    const lrMin = lrs[85] / 10;
    const withMin = { ...result, suggestions: { minimum: { lr: lrMin, index: 85 } } };
    const els = parseXml(renderRangeTestSvg(withMin, request));
    const g = els.find((e) => e.attrs['data-method'] === 'minimum')!;
    const circle = els[els.indexOf(g) + 2];
    expect(circle.name).toBe('circle');
    // expected y from the clipped loss axis and a log-linear interpolation done here
    const i = lrs.findIndex((x, k) => x <= lrMin && lrMin < lrs[k + 1]);
    const t = (Math.log10(lrMin) - Math.log10(lrs[i])) / (Math.log10(lrs[i + 1]) - Math.log10(lrs[i]));
    const y = SMOOTH[i] + t * (SMOOTH[i + 1] - SMOOTH[i]);
    const [lo, hi] = lossAxisRange([raw, SMOOTH]);
    const top = L.top;
    const bottom = L.height - L.bottom;
    expect(Number(circle.attrs.cy)).toBeCloseTo(bottom - ((y - lo) / (hi - lo)) * (bottom - top), 1);
  });
});

describe('lossAxisRange', () => {
  it('clips a blow-up to the first loss plus a margin, so the dip stays visible', () => {
    // 2.3 → 0.3, then diverges to 1e6
    const curve = [2.3, 2.2, 1.5, 0.8, 0.3, 0.5, 5, 1e3, 1e6];
    const [lo, hi] = lossAxisRange([curve]);
    expect(lo).toBeCloseTo(0.3 - 0.04 * 2.5, 12); // 4% of the span [0.3, 2.8] below the minimum
    // top = 2.3 + (2.3 - 0.3)/4 = 2.8, plus 4% of 2.5
    expect(hi).toBeCloseTo(2.8 + 0.04 * 2.5, 12);
  });
  it('never goes above the highest loss, and takes the larger first loss of raw and smoothed', () => {
    expect(lossAxisRange([[1, 0.9, 0.8]])[1]).toBeCloseTo(1 + 0.04 * 0.2, 12);
    const [, hi] = lossAxisRange([
      [3, 1, 9],
      [2, 1.5, 1.2],
    ]);
    expect(hi).toBeCloseTo(3.5 + 0.04 * 2.5, 12);
  });
  it('ignores nulls and handles flat or empty curves', () => {
    expect(lossAxisRange([[null, 1, null, 1]])).toEqual([expect.any(Number), expect.any(Number)]);
    const [lo, hi] = lossAxisRange([[1, 1, 1]]);
    expect(hi).toBeGreaterThan(lo);
    expect(lossAxisRange([[null]])).toEqual([0, 1]);
  });
});
