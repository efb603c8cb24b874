/**
 * A range test's plot (a range-test job's plot.svg and a sweep session's): the loss against the LR
 * on a log axis, as fastai's `recorder.plot_lr_find()` and torch-lr-finder's `LRFinder.plot()` draw
 * it — raw loss faint, smoothed loss solid, the suggested LR marked and every method's pick shown
 * faintly. The y axis is clipped to [lowest loss, first loss + a margin] so a blow-up at the end does
 * not flatten the interesting part of the curve. Pure: result + frame (title, subtitle) in, SVG text out.
 */
import {
  decadeDomain,
  decadeLabel,
  decadeTicks,
  esc,
  fmt,
  isNum,
  linearScale,
  logScale,
  lossAxisRange,
  niceTicks,
  numbers,
  PALETTE,
  pathData,
  px,
  svgDocument,
  fieldsOf,
} from './svg.js';
import { maxOf, minOf } from '../core/extent.js';

export const RANGE_TEST_LAYOUT = Object.freeze({ width: 780, height: 460, left: 64, right: 200, top: 52, bottom: 52 });

const obj = fieldsOf;

/** The x range of the plot (whole decades around the LRs). */
export function lrAxisDomain(lrs: readonly (number | null)[]): [number, number] {
  const pos = lrs.filter((v): v is number => isNum(v) && v > 0);
  if (pos.length === 0) return [1e-7, 10];
  return decadeDomain(minOf(pos), maxOf(pos));
}

/** What is written above the plot: the title's first words (the stop reason and suggestion follow), a subtitle line. */
export interface RangeTestFrame {
  title: string;
  subtitle: string;
}

/**
 * `result`: a range test's result as the routes answer it (lrs, losses, smoothed_losses, suggested_lr,
 * suggestion, suggestions, stop_reason; optional runs) — read defensively, any field may be missing.
 */
export function renderRangeTestPlot(result: object | null, frame: RangeTestFrame): string {
  const r = obj(result);
  const L = RANGE_TEST_LAYOUT;
  const x0 = L.left;
  const x1 = L.width - L.right;
  const y0 = L.top;
  const y1 = L.height - L.bottom;

  const lrs = numbers(r.lrs);
  const raw = numbers(r.losses);
  const smooth = numbers(r.smoothed_losses);
  const runs = Array.isArray(r.runs) ? r.runs.slice(1).map((run) => obj(run)) : [];
  const sx = logScale(lrAxisDomain(lrs), [x0, x1]);
  const [lo, hi] = lossAxisRange([raw, smooth]);
  const sy = linearScale([lo, hi], [y1, y0]);

  const suggestion = obj(r.suggestion);
  const method = typeof suggestion.method === 'string' ? suggestion.method : 'suggestion';
  const suggested = isNum(r.suggested_lr) && r.suggested_lr > 0 ? r.suggested_lr : null;
  const stop = typeof r.stop_reason === 'string' ? r.stop_reason : 'unknown';
  const picked = suggested === null ? 'none' : fmt(suggested);
  const title = `${frame.title} · stop_reason: ${stop} · suggested LR ${picked} (${method})`;

  const out: string[] = [];
  out.push(`<text x="${x0}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  const sub = frame.subtitle;
  if (sub) out.push(`<text x="${x0}" y="40" font-size="11" fill="#555555">${esc(sub)}</text>`);
  out.push(
    '<defs><clipPath id="lrf-plot-area">' +
      `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}"/></clipPath></defs>`,
  );

  // axes and grid: decades on x (minor ticks at 2..9), round numbers on y
  const grid: string[] = [];
  const domain = sx.domain;
  for (const k of decadeTicks(domain)) {
    const x = px(sx(10 ** k));
    grid.push(
      `<line class="decade-tick" data-decade="${k}" x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#dddddd"/>`,
    );
    grid.push(`<text x="${x}" y="${y1 + 16}" text-anchor="middle">${esc(decadeLabel(k))}</text>`);
    for (let m = 2; m <= 9; m++) {
      const v = m * 10 ** k;
      if (v >= domain[1]) break;
      grid.push(`<line x1="${px(sx(v))}" y1="${y1}" x2="${px(sx(v))}" y2="${y1 + 3}" stroke="#999999"/>`);
    }
  }
  for (const t of niceTicks(lo, hi)) {
    const y = px(sy(t));
    grid.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eeeeee"/>`);
    grid.push(`<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`);
  }
  out.push(`<g class="grid">${grid.join('')}</g>`);
  out.push(`<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="#333333"/>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${L.height - 12}" text-anchor="middle">learning rate (log scale)</text>`);
  out.push(`<text transform="translate(16 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">loss</text>`);

  // curves
  const curves: string[] = [];
  for (const run of runs) {
    const d = pathData(numbers(run.lrs), numbers(run.smoothed_losses), sx, sy);
    if (d)
      curves.push(`<path class="run" d="${d}" fill="none" stroke="#888888" stroke-opacity="0.35" stroke-width="1"/>`);
  }
  const rawD = pathData(lrs, raw, sx, sy);
  if (rawD)
    curves.push(
      `<path id="raw-loss" d="${rawD}" fill="none" stroke="${PALETTE[0]}" stroke-opacity="0.3" stroke-width="1"/>`,
    );
  const smoothD = pathData(lrs, smooth, sx, sy);
  if (smoothD)
    curves.push(`<path id="smoothed-loss" d="${smoothD}" fill="none" stroke="${PALETTE[0]}" stroke-width="2"/>`);

  // every method's pick, faintly
  const legend: string[] = [];
  // a pick sits on the smoothed curve at its LR (fastai's minimum is the LR of the lowest loss / 10,
  // slide scales by adjust_value: their LR is not lrs[index]); the index's point when off the curve
  const yAt = (lr: number, index: unknown): number => {
    const v =
      curveAt(lrs, smooth, lr) ?? (Number.isInteger(index) ? (smooth[index as number] ?? raw[index as number]) : null);
    return isNum(v) ? Math.min(y1, Math.max(y0, sy(v))) : y1;
  };
  const suggestions = obj(r.suggestions);
  Object.keys(suggestions).forEach((name, i) => {
    const s = obj(suggestions[name]);
    const color = PALETTE[(i + 1) % PALETTE.length];
    const ok = isNum(s.lr) && s.lr > 0;
    legend.push(
      `<circle cx="8" cy="${i * 16 + 60}" r="4" fill="none" stroke="${color}"/>` +
        `<text x="18" y="${i * 16 + 64}">${esc(`${name}: ${ok ? fmt(s.lr as number) : 'none'}`)}</text>`,
    );
    if (!ok) return;
    const x = px(sx(s.lr as number));
    curves.push(
      `<g class="method-marker" data-method="${esc(name)}" data-lr="${s.lr}" opacity="0.6">` +
        `<line x1="${x}" y1="${y1}" x2="${x}" y2="${y1 - 8}" stroke="${color}"/>` +
        `<circle cx="${x}" cy="${px(yAt(s.lr as number, s.index))}" r="4" fill="none" stroke="${color}" stroke-width="1.5"/>` +
        `<title>${esc(`${name}: ${fmt(s.lr as number)}`)}</title></g>`,
    );
  });
  out.push(`<g clip-path="url(#lrf-plot-area)">${curves.join('')}</g>`);

  if (suggested !== null) {
    const x = px(sx(suggested));
    const cy = px(yAt(suggested, suggestion.index));
    const anchor = sx(suggested) > x1 - 120 ? 'end' : 'start';
    const dx = anchor === 'end' ? -6 : 6;
    out.push(
      `<g id="suggested-lr" data-lr="${suggested}" data-method="${esc(method)}">` +
        `<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#d62728" stroke-width="1.5" stroke-dasharray="5 3"/>` +
        `<circle cx="${x}" cy="${cy}" r="5" fill="#d62728"/>` +
        `<text x="${px(Number(x) + dx)}" y="${y0 + 14}" text-anchor="${anchor}" fill="#d62728">${esc(`${method}: ${fmt(suggested)}`)}</text></g>`,
    );
  }

  // legend on the right
  const lx = x1 + 16;
  out.push(
    `<g class="legend" transform="translate(${lx} ${y0})">` +
      `<line x1="0" y1="6" x2="16" y2="6" stroke="${PALETTE[0]}" stroke-opacity="0.3"/><text x="22" y="10">raw loss</text>` +
      `<line x1="0" y1="22" x2="16" y2="22" stroke="${PALETTE[0]}" stroke-width="2"/><text x="22" y="26">smoothed loss</text>` +
      `<line x1="8" y1="32" x2="8" y2="44" stroke="#d62728" stroke-dasharray="3 2"/><text x="22" y="42">suggested (${esc(method)})</text>` +
      legend.join('') +
      '</g>',
  );

  return svgDocument(L.width, L.height, title, out);
}

/** The curve's value at `lr`, interpolated linearly in log10(lr) between recorded points; null off the curve or across
 * a gap. */
export function curveAt(lrs: readonly (number | null)[], ys: readonly (number | null)[], lr: number): number | null {
  for (let i = 0; i < lrs.length; i++) {
    const a = lrs[i];
    if (!isNum(a)) continue;
    if (a === lr) return isNum(ys[i]) ? (ys[i] as number) : null;
    const b = lrs[i + 1];
    if (isNum(b) && a < lr && lr < b) {
      const ya = ys[i];
      const yb = ys[i + 1];
      if (!isNum(ya) || !isNum(yb) || !(a > 0)) return null;
      const t = (Math.log10(lr) - Math.log10(a)) / (Math.log10(b) - Math.log10(a));
      return ya + t * (yb - ya);
    }
  }
  return null;
}

/** The subtitle's words on the LR plan: the emulated library, the LR range and mode, iterations run of planned. */
export function planParts(request: object | undefined, result: object | null): string[] {
  const req = obj(request);
  const r = obj(result);
  const parts: string[] = [];
  const emulate = obj(req.emulate);
  if (typeof emulate.library === 'string') parts.push(`emulating ${emulate.library}`);
  if (isNum(req.start_lr) && isNum(req.end_lr)) {
    const mode = typeof req.step_mode === 'string' ? ` (${req.step_mode})` : '';
    parts.push(`LR ${fmt(req.start_lr)} → ${fmt(req.end_lr)}${mode}`);
  }
  if (isNum(r.iterations)) parts.push(`${r.iterations}${isNum(req.num_iter) ? ` of ${req.num_iter}` : ''} iterations`);
  return parts;
}
