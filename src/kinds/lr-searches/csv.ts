/**
 * GET /v1/lr-searches/{id}/curve.csv: one row per candidate, by LR — `lr,reason,steps,metric,
 * at_horizon,diverged,stop_reason,in_interval,recommended` (metric empty where it diverged). Pure.
 */
import { numCell, row, textCell } from '../../views/csv.js';
import type { LrSearchResult } from './contract.js';

export const SEARCH_CSV_HEADER = [
  'lr',
  'reason',
  'steps',
  'metric',
  'at_horizon',
  'diverged',
  'stop_reason',
  'in_interval',
  'recommended',
] as const;

export function renderLrSearchCsv(r: LrSearchResult): string {
  let out = row([...SEARCH_CSV_HEADER]);
  for (const c of r.candidates) {
    const inside = r.interval !== null && c.at_horizon && c.lr >= r.interval.low && c.lr <= r.interval.high;
    out += row([
      numCell(c.lr),
      textCell(c.reason),
      String(c.steps),
      numCell(c.metric),
      String(c.at_horizon),
      String(c.diverged),
      textCell(c.stop_reason ?? ''),
      String(inside),
      String(c.lr === r.recommended_lr),
    ]);
  }
  return out;
}
