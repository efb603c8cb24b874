/**
 * An LR search's plot (a job's plot.svg and a search session's): the metric after train_steps steps against the LR (log axis)
 * for every candidate — filled dots for those trained to the horizon, hollow ones (fainter) for
 * those the search stopped earlier, a cross at the top for those that diverged — the interval as
 * a band, the recommended LR marked, over the range test's smoothed loss (grey, its own scale on
 * the right). Pure: result + request in, SVG text out.
 */
import type { SearchResult } from '../lrfinder/search/types.js';
import {
  decadeDomain, decadeLabel, decadeTicks, esc, fmt, isNum, linearScale, logScale, niceTicks, numbers, pathData, px, svgDocument,
} from './svg.js';
import { maxOf, minOf } from '../core/extent.js';

export const SEARCH_LAYOUT = Object.freeze({ width: 800, height: 460, left: 64, right: 190, top: 52, bottom: 52 });

const BLUE = '#1f77b4';
const RED = '#d62728';

function range(vals: number[], fallback: [number, number]): [number, number] {
  if (vals.length === 0) return fallback;
  let lo = minOf(vals);
  let hi = maxOf(vals);
  if (!(hi > lo)) { const d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
  const pad = 0.06 * (hi - lo);
  return [lo - pad, hi + pad];
}

export interface SearchPlotOptions {
  /** the line under the title */
  subtitle: string;
  /** the LRs are a schedule's peak LR (the x axis says so) */
  peak: boolean;
}

/** The plot of an LR search's result, from the job or from a session in the client's own loop. */
/** what the plot reads of a search's result (a job's and a session's results both have it) */
export type SearchPlotInput = Pick<SearchResult, 'recommended_lr' | 'metric' | 'interval' | 'confidence' | 'candidates' | 'range_test' | 'cost' | 'train_steps' | 'tolerance'>;

export function renderSearchPlot(r: SearchPlotInput, opts: SearchPlotOptions): string {
  const L = SEARCH_LAYOUT;
  const x0 = L.left, x1 = L.width - L.right, y0 = L.top, y1 = L.height - L.bottom;
  const cands = r.candidates;
  const rt = r.range_test;
  // the candidates' LRs and a decade either side (the range test is drawn where it falls inside)
  const lrs = (cands.length ? cands.map((c) => c.lr) : rt ? rt.lrs : []).filter((v) => isNum(v) && v > 0);
  const sx = logScale(lrs.length ? decadeDomain(minOf(lrs) / 10, maxOf(lrs) * 10) : [1e-7, 10], [x0, x1]);
  const atK = cands.filter((c) => c.at_horizon && isNum(c.metric));
  const shorter = cands.filter((c) => !c.at_horizon && !c.diverged && isNum(c.metric));
  // the metric axis is set by the horizon-trained candidates; earlier measurements are drawn when they fit
  const [lo, hi] = range((atK.length ? atK : shorter).map((c) => c.metric as number), [0, 1]);
  const sy = linearScale([lo, hi], [y1, y0]);
  const inside = (v: number): boolean => v >= lo && v <= hi;

  const rec = r.recommended_lr;
  const title = `LR search · ${r.train_steps} steps · recommended ${rec === null ? 'none' : fmt(rec)} · confidence ${r.confidence.level} (p ${fmt(r.confidence.p_within_tolerance)})`;
  const out: string[] = [];
  out.push(`<text x="${x0}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${x0}" y="40" font-size="11" fill="#555555">${esc(opts.subtitle)}</text>`);
  out.push(`<defs><clipPath id="lrf-plot-area"><rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}"/></clipPath></defs>`);

  const grid: string[] = [];
  for (const k of decadeTicks(sx.domain)) {
    const x = px(sx(10 ** k));
    grid.push(`<line class="decade-tick" data-decade="${k}" x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#dddddd"/>`);
    grid.push(`<text x="${x}" y="${y1 + 16}" text-anchor="middle">${esc(decadeLabel(k))}</text>`);
  }
  for (const t of niceTicks(lo, hi)) {
    const y = px(sy(t));
    grid.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eeeeee"/>`);
    grid.push(`<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`);
  }
  out.push(`<g class="grid">${grid.join('')}</g>`);
  out.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#333333"/>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${L.height - 12}" text-anchor="middle">${esc(opts.peak ? 'peak learning rate (log scale)' : 'learning rate (log scale)')}</text>`);
  out.push(`<text transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(`${r.metric} after ${r.train_steps} steps`)}</text>`);

  const body: string[] = [];
  if (r.interval) {
    const a = sx(r.interval.low), b = sx(r.interval.high);
    const w = Math.max(4, b - a);
    body.push(`<rect id="interval" data-low="${r.interval.low}" data-high="${r.interval.high}" x="${px((a + b) / 2 - w / 2)}" y="${y0}" width="${px(w)}" height="${y1 - y0}" fill="${BLUE}" fill-opacity="0.12"/>`);
  }
  if (rt) {
    // the range test's smoothed loss on its own scale (right axis), grey
    const ys = numbers(rt.smoothed_losses);
    const [rlo, rhi] = range(ys.filter(isNum), [0, 1]);
    const ry = linearScale([rlo, Math.min(rhi, rlo + 2 * ((ys.find(isNum) ?? rhi) - rlo) + 1e-12)], [y1, y0]);
    const d = pathData(rt.lrs, ys, sx, (v) => Math.max(y0, Math.min(y1, ry(v))));
    if (d) body.push(`<path id="range-test" d="${d}" fill="none" stroke="#999999" stroke-width="1.5" stroke-opacity="0.7"/>`);
  }
  for (const c of cands) {
    const x = px(sx(c.lr));
    const tip = `<title>${esc(`${fmt(c.lr)}: ${c.diverged ? `diverged after ${c.steps} steps` : `${r.metric} ${fmt(c.metric)} after ${c.steps} steps`} (${c.why})`)}</title>`;
    if (c.diverged) {
      const y = y0 + 8;
      body.push(`<g class="candidate diverged" data-lr="${c.lr}"><path d="M${px(Number(x) - 4)},${y - 4}L${px(Number(x) + 4)},${y + 4}M${px(Number(x) - 4)},${y + 4}L${px(Number(x) + 4)},${y - 4}" stroke="${RED}" stroke-width="1.5"/>${tip}</g>`);
    } else if (c.at_horizon && isNum(c.metric)) {
      body.push(`<g class="candidate horizon" data-lr="${c.lr}" data-metric="${c.metric}"><circle cx="${x}" cy="${px(sy(c.metric))}" r="5" fill="${BLUE}"/>${tip}</g>`);
    } else if (isNum(c.metric) && inside(c.metric)) {
      body.push(`<g class="candidate shorter" data-lr="${c.lr}" data-steps="${c.steps}"><circle cx="${x}" cy="${px(sy(c.metric))}" r="4" fill="none" stroke="${BLUE}" stroke-opacity="0.5"/>${tip}</g>`);
    }
  }
  out.push(`<g clip-path="url(#lrf-plot-area)">${body.join('')}</g>`);
  if (rec !== null) {
    const x = px(sx(rec));
    const anchor = sx(rec) > x1 - 120 ? 'end' : 'start';
    out.push(`<g id="recommended-lr" data-lr="${rec}"><line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="${RED}" stroke-width="1.5" stroke-dasharray="5 3"/>` +
      `<text x="${px(Number(x) + (anchor === 'end' ? -6 : 6))}" y="${y1 - 8}" text-anchor="${anchor}" fill="${RED}">${esc(`recommended ${fmt(rec)}`)}</text></g>`);
  }
  out.push(`<g class="legend" transform="translate(${x1 + 16} ${y0})">` +
    `<circle cx="8" cy="6" r="5" fill="${BLUE}"/><text x="22" y="10">trained ${r.train_steps} steps</text>` +
    `<circle cx="8" cy="24" r="4" fill="none" stroke="${BLUE}" stroke-opacity="0.5"/><text x="22" y="28">stopped earlier</text>` +
    `<path d="M4,38L12,46M4,46L12,38" stroke="${RED}" stroke-width="1.5"/><text x="22" y="46">diverged</text>` +
    `<rect x="0" y="54" width="16" height="12" fill="${BLUE}" fill-opacity="0.12"/><text x="22" y="64">interval (≤ ${fmt(1 + r.tolerance)}× best)</text>` +
    `<line x1="0" y1="78" x2="16" y2="78" stroke="#999999" stroke-width="1.5"/><text x="22" y="82">range test (own scale)</text>` +
    `<line x1="8" y1="90" x2="8" y2="102" stroke="${RED}" stroke-dasharray="3 2"/><text x="22" y="100">recommended</text></g>`);
  return svgDocument(L.width, L.height, title, out);
}
