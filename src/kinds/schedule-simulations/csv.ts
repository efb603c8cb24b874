/** GET /v1/schedule-simulations/{id}/curve.csv: schedule, step, lr, loss — one block of rows per schedule. Pure. */
import { numCell, row, textCell } from '../../views/csv.js';
import type { ScheduleSimulationResult } from './contract.js';
import { scheduleSeries } from './svg.js';

export function renderScheduleCsv(result: ScheduleSimulationResult): string {
  let out = row(['schedule', 'step', 'lr', 'loss']);
  for (const s of scheduleSeries(result)) {
    const n = Math.max(s.lrs.length, s.losses.length);
    const name = textCell(s.name);
    for (let i = 0; i < n; i++) out += row([name, String(i), numCell(s.lrs[i]), numCell(s.losses[i])]);
  }
  return out;
}
