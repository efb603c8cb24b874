/**
 * GET /v1/diagnostics/{id}/plot.svg: the checks' statuses, the overfit-one-batch curve (loss, and
 * accuracy for classification, against the step; a red cross where it went NaN/Inf) and the
 * per-layer activation std and gradient norm at initialisation on a log axis (where exploding or
 * vanishing signals show as a slope). Pure: result in, SVG text out.
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
  niceTicks,
  numbers,
  PALETTE,
  pathData,
  px,
  svgDocument,
} from '../../views/svg.js';
import type { DiagnosticsResult } from './contract.js';
import { maxOf, minOf } from '../../core/extent.js';

export const DIAGNOSTICS_LAYOUT = Object.freeze({
  width: 780,
  left: 64,
  right: 56,
  top: 40,
  rowHeight: 18,
  panel: 200,
  gap: 56,
  bottom: 40,
});

const STATUS_COLOR: Record<string, string> = { pass: '#2ca02c', warn: '#ff7f0e', fail: '#d62728' };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function renderDiagnosticsSvg(result: DiagnosticsResult): string {
  const L = DIAGNOSTICS_LAYOUT;
  const r = obj(result);
  const checks = list(r.checks);
  const overfit = obj(r.overfit);
  const losses = numbers(overfit.losses);
  const accs = numbers(overfit.accuracies);
  const layers = list(r.layers);
  const x0 = L.left,
    x1 = L.width - L.right;
  const title = `Diagnostics · verdict: ${String(r.verdict)}`;
  const out: string[] = [`<text x="${x0}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`];

  let y = L.top;
  out.push(
    '<g class="checks">' +
      checks
        .map((c, i) => {
          const status = String(c.status);
          const cy = y + i * L.rowHeight;
          return (
            `<rect x="${x0}" y="${cy}" width="40" height="14" rx="3" fill="${STATUS_COLOR[status] ?? '#7f7f7f'}"/>` +
            `<text x="${x0 + 20}" y="${cy + 11}" text-anchor="middle" fill="#ffffff" font-size="10">${esc(status)}</text>` +
            `<text x="${x0 + 48}" y="${cy + 11}"><tspan font-weight="bold">${esc(c.name)}</tspan> ${esc(clip(String(c.summary ?? ''), 92 - String(c.name).length))}</text>`
          );
        })
        .join('') +
      '</g>',
  );
  y += checks.length * L.rowHeight + 24;

  if (losses.length > 0) {
    const top = y,
      bottom = top + L.panel;
    const steps = Math.max(1, losses.length - 1);
    const sx = linearScale([0, steps], [x0, x1]);
    const finite = losses.filter(isNum);
    const hi = finite.length ? maxOf(finite) : 1;
    const sy = linearScale([0, hi > 0 ? hi * 1.05 : 1], [bottom, top]);
    const sa = linearScale([0, 1.05], [bottom, top]);
    const parts = axes(
      `overfit one batch (${fmt(overfit.rows as number)} rows, lr ${fmt(overfit.lr as number)})`,
      'loss',
      sy,
      niceTicks(0, sy.domain[1]).map((t) => [t, fmt(t)]),
      top,
      bottom,
      x0,
      x1,
    );
    for (const t of niceTicks(0, steps, 8))
      if (Number.isInteger(t)) parts.push(`<text x="${px(sx(t))}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
    parts.push(
      `<text x="${(x0 + x1) / 2}" y="${bottom + 32}" text-anchor="middle">optimizer step${accs.length ? ' (dashed: accuracy on the batch, 0 to 1)' : ''}</text>`,
    );
    const idx = losses.map((_, i) => i);
    parts.push(
      `<path class="overfit-loss" d="${pathData(idx, losses, sx, sy)}" fill="none" stroke="${PALETTE[0]}" stroke-width="1.5"/>`,
    );
    if (accs.length) {
      for (const t of [0, 0.5, 1])
        parts.push(`<text x="${x1 + 6}" y="${px(sa(t))}" dominant-baseline="middle" fill="${PALETTE[2]}">${t}</text>`);
      parts.push(
        `<text transform="translate(${x1 + 40} ${(top + bottom) / 2}) rotate(90)" text-anchor="middle" fill="${PALETTE[2]}">accuracy</text>`,
      );
    }
    if (accs.length)
      parts.push(
        `<path class="overfit-accuracy" d="${pathData(idx, accs, sx, sa)}" fill="none" stroke="${PALETTE[2]}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      );
    const bad = losses.findIndex((l) => l === null);
    if (bad >= 0) {
      const cx = sx(bad),
        cy = (top + bottom) / 2;
      parts.push(
        `<path class="non-finite" d="M${px(cx - 6)},${px(cy - 6)}L${px(cx + 6)},${px(cy + 6)}M${px(cx - 6)},${px(cy + 6)}L${px(cx + 6)},${px(cy - 6)}" stroke="#d62728" stroke-width="2"/>`,
      );
      parts.push(
        `<text x="${px(cx - 8)}" y="${px(cy - 10)}" text-anchor="end" fill="#d62728">NaN/Inf at step ${bad}</text>`,
      );
    }
    out.push(`<g id="overfit-panel">${parts.join('')}</g>`);
    y = bottom + L.gap;
  }

  const stds = layers.map((l) => (isNum(l.act_std) && l.act_std > 0 ? l.act_std : null));
  const grads = layers.map((l) => (isNum(l.grad_norm) && l.grad_norm > 0 ? l.grad_norm : null));
  const positive = [...stds, ...grads].filter(isNum);
  if (positive.length > 0) {
    const top = y,
      bottom = top + L.panel;
    const sx = linearScale([-0.5, layers.length - 0.5], [x0, x1]);
    const domain = decadeDomain(minOf(positive), maxOf(positive));
    const sy = logScale(domain, [bottom, top]);
    const parts = axes(
      'at initialisation, per layer (log scale)',
      'value',
      sy,
      decadeTicks(domain).map((k) => [10 ** k, decadeLabel(k)]),
      top,
      bottom,
      x0,
      x1,
    );
    layers.forEach((l, i) =>
      parts.push(
        `<text x="${px(sx(i))}" y="${bottom + 16}" text-anchor="middle" font-size="10">${esc(l.layer)}</text>`,
      ),
    );
    const idx = layers.map((_, i) => i);
    parts.push(
      `<path class="act-std" d="${pathData(idx, stds, sx, sy)}" fill="none" stroke="${PALETTE[1]}" stroke-width="1.5"/>`,
    );
    parts.push(
      `<path class="grad-norm" d="${pathData(idx, grads, sx, sy)}" fill="none" stroke="${PALETTE[4]}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
    );
    parts.push(
      `<text x="${(x0 + x1) / 2}" y="${bottom + 32}" text-anchor="middle">activation std (solid) and gradient norm (dashed)</text>`,
    );
    out.push(`<g id="layers-panel">${parts.join('')}</g>`);
    y = bottom + L.gap;
  }
  const panels = (losses.length > 0 ? 1 : 0) + (positive.length > 0 ? 1 : 0);
  return svgDocument(L.width, panels ? y - L.gap + L.bottom : y - 24 + L.bottom, title, out);
}

function axes(
  caption: string,
  label: string,
  sy: (v: number) => number,
  ticks: [number, string][],
  top: number,
  bottom: number,
  x0: number,
  x1: number,
): string[] {
  const parts: string[] = [`<text x="${x0}" y="${top - 6}" font-weight="bold">${esc(caption)}</text>`];
  for (const [t, text] of ticks) {
    const y = px(sy(t));
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(text)}</text>`);
  }
  parts.push(`<rect x="${x0}" y="${top}" width="${x1 - x0}" height="${bottom - top}" fill="none" stroke="#333333"/>`);
  parts.push(
    `<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`,
  );
  return parts;
}
