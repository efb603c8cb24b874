/**
 * An LR search's plot (a job's plot.svg and a search session's), two panels over one log LR axis:
 *
 * - top: the metric after train_steps steps for every candidate — filled dots for those trained to
 *   the horizon; hollow dots, labelled with their step count, for those the search stopped earlier
 *   (at their last metric; a triangle on the panel's edge when that metric is off the scale the
 *   horizon-trained ones set); a cross at the top for those that diverged — the interval as a band
 *   (at least a few pixels wide and outlined, so a one-point interval is seen), and the recommended LR;
 * - bottom: the range test's smoothed loss on its own axis.
 *
 * Pure: result + options in, SVG text out.
 */
import type { SearchResult } from '../lrfinder/search/types.js';
import {
  decadeDomain,
  decadeLabel,
  decadeTicks,
  esc,
  fmt,
  isNum,
  linearScale,
  logScale,
  niceTicks,
  numbers,
  pathData,
  px,
  svgDocument,
  type Scale,
} from './svg.js';

/** the frame: the metric panel from `top` to `metricBottom`, the range-test panel from `rangeTop` to `height - bottom`
 * */
export const SEARCH_LAYOUT = Object.freeze({
  width: 800,
  height: 600,
  left: 64,
  right: 190,
  top: 52,
  bottom: 52,
  metricBottom: 360,
  rangeTop: 392,
});

const BLUE = '#1f77b4';
const RED = '#d62728';
const GREY = '#888888';

function extent(vals: readonly number[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of vals) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return vals.length ? [lo, hi] : null;
}

function padded(vals: readonly number[], fallback: [number, number]): [number, number] {
  const e = extent(vals);
  if (!e) return fallback;
  let [lo, hi] = e;
  if (!(hi > lo)) {
    const d = Math.abs(lo) * 0.1 || 1;
    lo -= d;
    hi += d;
  }
  const pad = 0.06 * (hi - lo);
  return [lo - pad, hi + pad];
}

export interface SearchPlotOptions {
  /** the line under the title */
  subtitle: string;
  /** the LRs are a schedule's peak LR (the x axis says so) */
  peak: boolean;
}

/** what the plot reads of a search's result (a job's and a session's results both have it) */
export type SearchPlotInput = Pick<
  SearchResult,
  | 'recommended_lr'
  | 'metric'
  | 'interval'
  | 'confidence'
  | 'candidates'
  | 'range_test'
  | 'cost'
  | 'train_steps'
  | 'tolerance'
>;

function yAxis(
  out: string[],
  sy: Scale,
  lo: number,
  hi: number,
  x0: number,
  x1: number,
  label: string,
  yTop: number,
  yBottom: number,
): void {
  for (const t of niceTicks(lo, hi, yBottom - yTop > 200 ? 5 : 3)) {
    const y = px(sy(t));
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eeeeee"/>`);
    out.push(`<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`);
  }
  out.push(
    `<text transform="translate(16 ${(yTop + yBottom) / 2}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`,
  );
}

/** The plot of an LR search's result, from the job or from a session in the client's own loop. */
export function renderSearchPlot(r: SearchPlotInput, opts: SearchPlotOptions): string {
  const L = SEARCH_LAYOUT;
  const x0 = L.left,
    x1 = L.width - L.right;
  const m0 = L.top,
    m1 = L.metricBottom; // metric panel
  const g0 = L.rangeTop,
    g1 = L.height - L.bottom; // range-test panel
  const cands = r.candidates;
  const rt = r.range_test;
  // the candidates' LRs and a decade either side (the range test is drawn where it falls inside)
  const lrs = (cands.length ? cands.map((c) => c.lr) : rt ? rt.lrs : []).filter((v): v is number => isNum(v) && v > 0);
  const lrExtent = extent(lrs);
  const sx = logScale(lrExtent ? decadeDomain(lrExtent[0] / 10, lrExtent[1] * 10) : [1e-7, 10], [x0, x1]);
  const atK = cands.filter((c) => c.at_horizon && isNum(c.metric));
  const shorter = cands.filter((c) => !c.at_horizon && !c.diverged && isNum(c.metric));
  // the metric axis is set by the horizon-trained candidates (earlier measurements are not comparable:
  // fewer steps); an earlier one off that scale sits on the panel's edge as a triangle
  const [lo, hi] = padded(
    (atK.length ? atK : shorter).map((c) => c.metric as number),
    [0, 1],
  );
  const sy = linearScale([lo, hi], [m1, m0]);

  const rec = r.recommended_lr;
  const title = `LR search · ${r.train_steps} steps · recommended ${rec === null ? 'none' : fmt(rec)} · confidence ${r.confidence.level} (p ${fmt(r.confidence.p_within_tolerance)})`;
  const out: string[] = [];
  out.push(`<text x="${x0}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${x0}" y="40" font-size="11" fill="#555555">${esc(opts.subtitle)}</text>`);
  out.push(
    `<defs><clipPath id="lrf-plot-area"><rect x="${x0}" y="${m0}" width="${x1 - x0}" height="${m1 - m0}"/></clipPath>` +
      `<clipPath id="lrf-range-area"><rect x="${x0}" y="${g0}" width="${x1 - x0}" height="${g1 - g0}"/></clipPath></defs>`,
  );

  // one LR axis: decade lines through both panels, labels under the lower one
  const grid: string[] = [];
  for (const k of decadeTicks(sx.domain)) {
    const x = px(sx(10 ** k));
    grid.push(
      `<line class="decade-tick" data-decade="${k}" x1="${x}" y1="${m0}" x2="${x}" y2="${m1}" stroke="#dddddd"/>`,
    );
    grid.push(`<line x1="${x}" y1="${g0}" x2="${x}" y2="${g1}" stroke="#dddddd"/>`);
    grid.push(`<text x="${x}" y="${g1 + 16}" text-anchor="middle">${esc(decadeLabel(k))}</text>`);
  }
  yAxis(grid, sy, lo, hi, x0, x1, `${r.metric} after ${r.train_steps} steps`, m0, m1);
  out.push(`<g class="grid">${grid.join('')}</g>`);
  out.push(`<rect x="${x0}" y="${m0}" width="${x1 - x0}" height="${m1 - m0}" fill="none" stroke="#333333"/>`);
  out.push(
    `<text x="${(x0 + x1) / 2}" y="${L.height - 12}" text-anchor="middle">${esc(opts.peak ? 'peak learning rate (log scale)' : 'learning rate (log scale)')}</text>`,
  );

  const body: string[] = [];
  if (r.interval) {
    const a = sx(r.interval.low),
      b = sx(r.interval.high);
    const w = Math.max(6, b - a);
    const one = r.interval.low === r.interval.high;
    body.push(
      `<rect id="interval" data-low="${r.interval.low}" data-high="${r.interval.high}" x="${px((a + b) / 2 - w / 2)}" y="${m0}" width="${px(w)}" height="${m1 - m0}" ` +
        `fill="${BLUE}" fill-opacity="0.12" stroke="${BLUE}" stroke-opacity="0.5" stroke-dasharray="${one ? '2 2' : '4 3'}"/>`,
    );
  }
  for (const c of cands) {
    const xv = sx(c.lr);
    const x = px(xv);
    const tip = `<title>${esc(`${fmt(c.lr)}: ${c.diverged ? `diverged after ${c.steps} steps` : `${r.metric} ${fmt(c.metric)} after ${c.steps} steps`} (${c.why})`)}</title>`;
    if (c.diverged) {
      const y = m0 + 8;
      body.push(
        `<g class="candidate diverged" data-lr="${c.lr}" data-steps="${c.steps}"><path d="M${px(xv - 4)},${y - 4}L${px(xv + 4)},${y + 4}M${px(xv - 4)},${y + 4}L${px(xv + 4)},${y - 4}" stroke="${RED}" stroke-width="1.5"/>` +
          `<text x="${x}" y="${y + 16}" text-anchor="middle" font-size="9" fill="${RED}">${c.steps}</text>${tip}</g>`,
      );
    } else if (c.at_horizon && isNum(c.metric)) {
      body.push(
        `<g class="candidate horizon" data-lr="${c.lr}" data-metric="${c.metric}"><circle cx="${x}" cy="${px(sy(c.metric))}" r="5" fill="${BLUE}"/>${tip}</g>`,
      );
    } else if (isNum(c.metric)) {
      const off = c.metric > hi ? 'above' : c.metric < lo ? 'below' : null;
      const y = off === 'above' ? m0 + 6 : off === 'below' ? m1 - 6 : sy(c.metric);
      const mark =
        off === null
          ? `<circle cx="${x}" cy="${px(y)}" r="4" fill="#ffffff" stroke="${BLUE}" stroke-width="1.5"/>`
          : off === 'above'
            ? `<path d="M${px(xv)},${px(y - 5)}L${px(xv + 5)},${px(y + 4)}L${px(xv - 5)},${px(y + 4)}Z" fill="#ffffff" stroke="${BLUE}" stroke-width="1.5"/>`
            : `<path d="M${px(xv)},${px(y + 5)}L${px(xv + 5)},${px(y - 4)}L${px(xv - 5)},${px(y - 4)}Z" fill="#ffffff" stroke="${BLUE}" stroke-width="1.5"/>`;
      const labelY = off === 'below' ? y - 10 : y + 16;
      body.push(
        `<g class="candidate shorter" data-lr="${c.lr}" data-steps="${c.steps}" data-metric="${c.metric}"${off ? ` data-off-scale="${off}"` : ''}>${mark}` +
          `<text x="${x}" y="${px(labelY)}" text-anchor="middle" font-size="9" fill="${BLUE}">${c.steps}</text>${tip}</g>`,
      );
    }
  }
  out.push(`<g clip-path="url(#lrf-plot-area)">${body.join('')}</g>`);
  if (rec !== null) {
    const x = px(sx(rec));
    const anchor = sx(rec) > x1 - 120 ? 'end' : 'start';
    out.push(
      `<g id="recommended-lr" data-lr="${rec}"><line x1="${x}" y1="${m0}" x2="${x}" y2="${g1}" stroke="${RED}" stroke-width="1.5" stroke-dasharray="5 3"/>` +
        `<text x="${px(Number(x) + (anchor === 'end' ? -6 : 6))}" y="${m1 - 8}" text-anchor="${anchor}" fill="${RED}">${esc(`recommended ${fmt(rec)}`)}</text></g>`,
    );
  }

  // the range test, on its own axis
  out.push(`<rect x="${x0}" y="${g0}" width="${x1 - x0}" height="${g1 - g0}" fill="none" stroke="#333333"/>`);
  if (rt) {
    const ys = numbers(rt.smoothed_losses);
    const finite = ys.filter(isNum);
    const first = finite[0];
    const e = extent(finite);
    // from the lowest loss to twice the first loss's height above it: the divergence runs off the top
    const top = e && first !== undefined ? Math.min(e[1], e[0] + 2 * (first - e[0]) + 1e-12) : 1;
    const [rlo, rhi] = e ? padded([e[0], top], [0, 1]) : [0, 1];
    const ry = linearScale([rlo, rhi], [g1, g0]);
    const axis: string[] = [];
    yAxis(axis, ry, rlo, rhi, x0, x1, 'range test loss', g0, g1);
    out.push(`<g class="grid range-test-axis">${axis.join('')}</g>`);
    const d = pathData(rt.lrs, ys, sx, (v) => Math.max(g0, Math.min(g1, ry(v))));
    if (d)
      out.push(
        `<g clip-path="url(#lrf-range-area)"><path id="range-test" d="${d}" fill="none" stroke="${GREY}" stroke-width="1.5"/></g>`,
      );
  } else {
    out.push(
      `<text x="${(x0 + x1) / 2}" y="${(g0 + g1) / 2}" text-anchor="middle" fill="#777777">no range test</text>`,
    );
  }

  out.push(
    `<g class="legend" transform="translate(${x1 + 16} ${m0})">` +
      `<circle cx="8" cy="6" r="5" fill="${BLUE}"/><text x="22" y="10">trained ${r.train_steps} steps</text>` +
      `<circle cx="8" cy="24" r="4" fill="#ffffff" stroke="${BLUE}" stroke-width="1.5"/><text x="22" y="28">stopped earlier (steps)</text>` +
      `<path d="M8,37L13,46L3,46Z" fill="#ffffff" stroke="${BLUE}" stroke-width="1.5"/><text x="22" y="46">stopped earlier, off scale</text>` +
      `<path d="M4,56L12,64M4,64L12,56" stroke="${RED}" stroke-width="1.5"/><text x="22" y="64">diverged (steps)</text>` +
      `<rect x="0" y="72" width="16" height="12" fill="${BLUE}" fill-opacity="0.12" stroke="${BLUE}" stroke-opacity="0.5"/><text x="22" y="82">interval (≤ ${fmt(1 + r.tolerance)}× best)</text>` +
      `<line x1="8" y1="90" x2="8" y2="102" stroke="${RED}" stroke-dasharray="3 2"/><text x="22" y="100">recommended</text></g>` +
      `<g class="legend" transform="translate(${x1 + 16} ${g0})"><line x1="0" y1="6" x2="16" y2="6" stroke="${GREY}" stroke-width="1.5"/><text x="22" y="10">range test, smoothed</text></g>`,
  );
  return svgDocument(L.width, L.height, title, out);
}
