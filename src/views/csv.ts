/**
 * GET /v1/{kind}/{id}/curve.csv: a result's curves as RFC 4180 CSV (CRLF, header row, empty cell
 * for null). Range tests: iteration (0-based, the `index` of the suggestions), lr, loss,
 * smoothed_loss, grad_norm, and a trailing `run` column when the result has `runs` (repeats > 1).
 * Schedule simulations: schedule, step, lr, loss. Pure.
 */
import { isNum } from './svg.js';
import { scheduleSeries } from '../kinds/schedule-simulations/svg.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** A number cell: shortest round-trip text (parses back to the same double); null → empty. */
export function numCell(v: unknown): string {
  return isNum(v) ? String(v) : '';
}

/**
 * A text cell, quoted when needed; a leading = + - @ (spreadsheet formula) is neutralised with
 * an apostrophe (OWASP CSV injection guidance).
 */
export function textCell(v: unknown): string {
  let s = String(v ?? '');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const row = (cells: string[]) => cells.join(',') + '\r\n';

export const RANGE_TEST_CSV_HEADER = ['iteration', 'lr', 'loss', 'smoothed_loss', 'grad_norm'] as const;

export function renderRangeTestCsv(result: unknown): string {
  const r = obj(result);
  const runs = Array.isArray(r.runs) ? r.runs.map(obj) : [];
  if (runs.length > 1) {
    let out = row([...RANGE_TEST_CSV_HEADER, 'run']);
    runs.forEach((run, k) => {
      // grad norms are recorded for the first run only (unless a run carries its own)
      const grads = Array.isArray(run.grad_norms) ? run.grad_norms : k === 0 && Array.isArray(r.grad_norms) ? r.grad_norms : [];
      out += curveRows(run.lrs, run.losses, run.smoothed_losses, grads, String(k));
    });
    return out;
  }
  return row([...RANGE_TEST_CSV_HEADER]) + curveRows(r.lrs, r.losses, r.smoothed_losses, r.grad_norms);
}

function curveRows(lrs: unknown, losses: unknown, smoothed: unknown, grads: unknown, run?: string): string {
  const a = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const [l, y, s, g] = [a(lrs), a(losses), a(smoothed), a(grads)];
  let out = '';
  for (let i = 0; i < l.length; i++) {
    const cells = [String(i), numCell(l[i]), numCell(y[i]), numCell(s[i]), numCell(g[i])];
    if (run !== undefined) cells.push(run);
    out += row(cells);
  }
  return out;
}

export function renderScheduleCsv(result: unknown): string {
  let out = row(['schedule', 'step', 'lr', 'loss']);
  for (const s of scheduleSeries(result)) {
    const n = Math.max(s.lrs.length, s.losses.length);
    const name = textCell(s.name);
    for (let i = 0; i < n; i++) out += row([name, String(i), numCell(s.lrs[i]), numCell(s.losses[i])]);
  }
  return out;
}
