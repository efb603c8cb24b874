/**
 * GET /v1/schedule-simulations/{id}/plot.svg: one colour per schedule, the LR against the step
 * (top panel) and, when the simulation trained, the loss against the step (bottom panel, clipped
 * like the range-test plot). Pure: result + request in, SVG text out.
 */
import {
  esc,
  fmt,
  isNum,
  linearScale,
  lossAxisRange,
  niceTicks,
  numbers,
  PALETTE,
  pathData,
  px,
  svgDocument,
  type Scale,
} from '../../views/svg.js';
import type { ScheduleSimulationResult } from './contract.js';
import { maxOf } from '../../core/extent.js';

export const SCHEDULE_LAYOUT = Object.freeze({
  width: 780,
  left: 64,
  right: 200,
  top: 52,
  panel: 220,
  gap: 44,
  bottom: 40,
});

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export interface ScheduleSeries {
  name: string;
  lrs: (number | null)[];
  losses: (number | null)[];
  /** evaluation losses (eval_losses) at eval_steps (steps done), when the simulation evaluated */
  evalSteps: (number | null)[];
  evalLosses: (number | null)[];
}

/** The schedules of a simulation result, tolerant of missing fields. */
export function scheduleSeries(result: ScheduleSimulationResult): ScheduleSeries[] {
  const list = obj(result).schedules;
  if (!Array.isArray(list)) return [];
  return list.map((s, i) => {
    const o = obj(s);
    const name =
      typeof o.name === 'string'
        ? o.name
        : typeof obj(o.schedule).type === 'string'
          ? String(obj(o.schedule).type)
          : `schedule ${i + 1}`;
    return {
      name,
      lrs: numbers(o.lrs),
      losses: numbers(o.losses),
      evalSteps: numbers(o.eval_steps),
      evalLosses: numbers(o.eval_losses),
    };
  });
}

export function renderScheduleSimulationSvg(result: ScheduleSimulationResult): string {
  const L = SCHEDULE_LAYOUT;
  const series = scheduleSeries(result);
  const withLoss = series.some((s) => s.losses.some(isNum));
  const panels = withLoss ? 2 : 1;
  const height = L.top + panels * L.panel + (panels - 1) * L.gap + L.bottom;
  const x0 = L.left;
  const x1 = L.width - L.right;
  const steps = Math.max(1, ...series.map((s) => Math.max(s.lrs.length, s.losses.length) - 1));
  const sx = linearScale([0, steps], [x0, x1]);
  const r = obj(result);
  const best = Array.isArray(r.ranking) && typeof r.ranking[0] === 'string' ? r.ranking[0] : null;
  const rankedBy = typeof r.ranked_by === 'string' ? r.ranked_by : 'loss';
  const title = `Schedule simulation · ${series.length} schedule${series.length === 1 ? '' : 's'}${best !== null ? ` · best by ${rankedBy}: ${best}` : ''}`;
  const out: string[] = [`<text x="${x0}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`];

  const lrAll = series.flatMap((s) => s.lrs).filter(isNum);
  const lrHi = lrAll.length ? maxOf(lrAll) : 1;
  const lrLo = lrAll.length ? Math.min(0, ...lrAll) : 0;
  const top0 = L.top;
  out.push(
    panel(
      'lr',
      'learning rate',
      sx,
      linearScale([lrLo, lrHi > lrLo ? lrHi * 1.04 : lrLo + 1], [top0 + L.panel, top0]),
      series.map((s) => s.lrs),
      x0,
      x1,
      top0,
      steps,
    ),
  );
  if (withLoss) {
    const top1 = top0 + L.panel + L.gap;
    const [lo, hi] = lossAxisRange([...series.map((s) => s.losses), ...series.map((s) => s.evalLosses)]);
    const sy = linearScale([lo, hi], [top1 + L.panel, top1]);
    const evals = series
      .map((s, i) => {
        const d = pathData(s.evalSteps, s.evalLosses, sx, sy);
        return d
          ? `<path class="eval-curve" d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.5" stroke-dasharray="5 3"/>`
          : '';
      })
      .join('');
    const hasEval = series.some((s) => s.evalLosses.some(isNum));
    out.push(
      panel(
        'loss',
        hasEval ? 'loss (dashed: evaluation)' : 'training loss',
        sx,
        sy,
        series.map((s) => s.losses),
        x0,
        x1,
        top1,
        steps,
        evals,
      ),
    );
  }
  out.push(`<text x="${(x0 + x1) / 2}" y="${height - 10}" text-anchor="middle">optimizer step</text>`);
  out.push(
    `<g class="legend" transform="translate(${x1 + 16} ${L.top})">` +
      series
        .map(
          (s, i) =>
            `<line x1="0" y1="${i * 16 + 6}" x2="16" y2="${i * 16 + 6}" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2"/>` +
            `<text x="22" y="${i * 16 + 10}">${esc(s.name)}</text>`,
        )
        .join('') +
      '</g>',
  );
  return svgDocument(L.width, height, title, out);
}

function panel(
  id: string,
  label: string,
  sx: Scale,
  sy: Scale,
  ys: (number | null)[][],
  x0: number,
  x1: number,
  top: number,
  steps: number,
  extra = '',
): string {
  const bottom = top + SCHEDULE_LAYOUT.panel;
  const parts: string[] = [
    `<clipPath id="lrf-${id}-area"><rect x="${x0}" y="${top}" width="${x1 - x0}" height="${bottom - top}"/></clipPath>`,
  ];
  for (const t of niceTicks(sy.domain[0], sy.domain[1])) {
    const y = px(sy(t));
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`);
  }
  for (const t of niceTicks(0, steps, 8)) {
    if (!Number.isInteger(t)) continue;
    parts.push(`<text x="${px(sx(t))}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<rect x="${x0}" y="${top}" width="${x1 - x0}" height="${bottom - top}" fill="none" stroke="#333333"/>`);
  parts.push(
    `<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`,
  );
  const lines = ys.map((y, i) => {
    const d = pathData(
      y.map((_, k) => k),
      y,
      sx,
      sy,
    );
    return d
      ? `<path class="${id}-curve" d="${d}" fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.5"/>`
      : '';
  });
  parts.push(`<g clip-path="url(#lrf-${id}-area)">${lines.join('')}${extra}</g>`);
  return `<g id="${id}-panel">${parts.join('')}</g>`;
}
