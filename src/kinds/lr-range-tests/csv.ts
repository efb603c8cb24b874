/**
 * GET /v1/lr-range-tests/{id}/curve.csv: iteration (0-based, the `index` of the suggestions), lr,
 * loss, smoothed_loss, grad_norm, and a trailing `run` column when the result has `runs`
 * (repeats > 1: one block of rows per run; gradient norms are recorded for the first run only). Pure.
 */
import { numCell, row } from '../../views/csv.js';
import type { LrRangeTestResult } from './contract.js';

export const RANGE_TEST_CSV_HEADER = ['iteration', 'lr', 'loss', 'smoothed_loss', 'grad_norm'] as const;

type Series = readonly (number | null)[];

export function renderRangeTestCsv(r: LrRangeTestResult): string {
  const runs = r.runs ?? [];
  if (runs.length > 1) {
    let out = row([...RANGE_TEST_CSV_HEADER, 'run']);
    runs.forEach((run, k) => {
      out += curveRows(run.lrs, run.losses, run.smoothed_losses, k === 0 ? r.grad_norms : [], String(k));
    });
    return out;
  }
  return row([...RANGE_TEST_CSV_HEADER]) + curveRows(r.lrs, r.losses, r.smoothed_losses, r.grad_norms);
}

function curveRows(lrs: Series, losses: Series, smoothed: Series, grads: Series, run?: string): string {
  let out = '';
  for (let i = 0; i < lrs.length; i++) {
    const cells = [String(i), numCell(lrs[i]), numCell(losses[i]), numCell(smoothed[i]), numCell(grads[i])];
    if (run !== undefined) cells.push(run);
    out += row(cells);
  }
  return out;
}
