/** GET /v1/diagnostics/{id}/curve.csv: the overfit-one-batch run, one row per step. Pure. */
import { numCell } from '../../views/csv.js';
import type { DiagnosticsResult } from './contract.js';

/** The overfit curve as CSV: step (0-based), loss (before the step), accuracy (after it), grad_norm; header only
 * without one. */
export function renderDiagnosticsCsv(result: DiagnosticsResult): string {
  const losses = result.overfit?.losses ?? [];
  const accs = result.overfit?.accuracies ?? [];
  const grads = result.overfit?.grad_norms ?? [];
  let out = 'step,loss,accuracy,grad_norm\r\n';
  for (let i = 0; i < losses.length; i++)
    out += `${i},${numCell(losses[i])},${numCell(accs[i])},${numCell(grads[i])}\r\n`;
  return out;
}
