/**
 * Small, pure SVG building blocks for the result plots: escaping, number formatting, linear and
 * log10 scales, decade and "nice" ticks, polylines that break at gaps. No I/O, no fonts, no scripts.
 */
import { maxOf, minOf } from '../core/extent.js';

/** Escapes text for XML character data and attribute values. */
export function esc(text: unknown): string {
  return (
    String(text)
      // characters XML 1.0 forbids (control characters other than tab, LF, CR; lone surrogates)
      .replace(
        // eslint-disable-next-line no-control-regex -- matching the control characters is the point
        /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
        '\uFFFD',
      )
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

/** A pixel coordinate with two decimals. */
export function px(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/** A short human number: 3 significant digits, exponent form outside [1e-3, 1e4). */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e4) return String(Number(v.toPrecision(3)));
  const [m, e] = v.toExponential(2).split('e');
  return `${Number(m)}e${Number(e)}`;
}

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export interface Scale {
  (v: number): number;
  domain: [number, number];
  range: [number, number];
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const k = d1 === d0 ? 0 : (range[1] - range[0]) / (d1 - d0);
  const f = ((v: number) => range[0] + (v - d0) * k) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** A log10 scale; `domain` is in data units (both > 0). */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const lin = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  const f = ((v: number) => lin(Math.log10(v))) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** Whole decades enclosing [min, max] (at least one decade wide). */
export function decadeDomain(min: number, max: number): [number, number] {
  let lo = Math.floor(Math.log10(min) + 1e-9);
  let hi = Math.ceil(Math.log10(max) - 1e-9);
  if (hi <= lo) hi = lo + 1;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = -1;
    hi = 0;
  }
  return [10 ** lo, 10 ** hi];
}

/** Decade exponents k with 10^k inside the domain. */
export function decadeTicks(domain: [number, number]): number[] {
  const out: number[] = [];
  const lo = Math.round(Math.log10(domain[0]));
  const hi = Math.round(Math.log10(domain[1]));
  for (let k = lo; k <= hi; k++) out.push(k);
  return out;
}

/** Label of the decade 10^k: plain for 0.01 … 1000, else 1e-7. */
export function decadeLabel(k: number): string {
  return k >= -2 && k <= 3 ? String(Number((10 ** k).toPrecision(1))) : `1e${k}`;
}

/** About `count` round ticks (1, 2, 5 × 10^n steps) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * The loss axis: from the lowest finite loss to the first loss plus a margin (a quarter of the
 * drop, at least 5% of the first loss), never above the highest loss; padded by 4%.
 */
export function lossAxisRange(series: readonly (readonly (number | null)[])[]): [number, number] {
  const all = series.flat().filter(isNum);
  if (all.length === 0) return [0, 1];
  const min = minOf(all);
  const max = maxOf(all);
  const firsts = series.map((s) => s.find(isNum)).filter(isNum);
  const first = firsts.length ? maxOf(firsts) : max;
  const margin = Math.max(0.25 * (first - min), 0.05 * Math.abs(first));
  let top = Math.min(max, first + margin);
  if (!(top > min)) top = min + Math.max(Math.abs(min) * 0.1, 1e-9);
  const pad = 0.04 * (top - min);
  return [min - pad, top + pad];
}

/** An SVG path through (x[i], y[i]); a null/non-finite y (or x) breaks the line. */
export function pathData(
  xs: readonly (number | null)[],
  ys: readonly (number | null)[],
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  let d = '';
  let pen = false;
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!isNum(x) || !isNum(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(sx(x))},${px(sy(y))}`;
    pen = true;
  }
  return d;
}

/** An object's fields to read defensively (a result or request drawn as sent); {} for anything else. */
export function fieldsOf(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Finite numbers of an unknown value that should be an array. */
export function numbers(v: unknown): (number | null)[] {
  return Array.isArray(v) ? v.map((x) => (isNum(x) ? x : null)) : [];
}

export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>${esc(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
