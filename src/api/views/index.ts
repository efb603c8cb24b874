/**
 * Which picture and which table a finished job has: range-test-shaped results (lrs + losses)
 * and schedule simulations (schedules[]). Anything else has none (null).
 */
import { renderRangeTestCsv, renderScheduleCsv } from '../../views/csv.js';
import { renderRangeTestSvg } from '../../kinds/lr-range-tests/svg.js';
import { renderScheduleSimulationSvg } from '../../kinds/schedule-simulations/svg.js';
import { isDiagnosticsResult, renderDiagnosticsCsv, renderDiagnosticsSvg } from '../../kinds/diagnostics/views.js';

export { renderRangeTestSvg, renderScheduleSimulationSvg, renderRangeTestCsv, renderScheduleCsv, renderDiagnosticsSvg, renderDiagnosticsCsv };
export { sseComment, sseEvent } from './sse.js';

type Shape = 'range-test' | 'schedules' | 'diagnostics' | null;

export function resultShape(kind: string, result: unknown): Shape {
  if (!result || typeof result !== 'object') return null;
  const r = result as Record<string, unknown>;
  if (Array.isArray(r.schedules)) return 'schedules';
  if (kind === 'diagnostics' && isDiagnosticsResult(r)) return 'diagnostics';
  if (Array.isArray(r.lrs) && Array.isArray(r.losses)) return 'range-test';
  return kind === 'schedule-simulations' ? 'schedules' : null;
}

export function renderJobSvg(kind: string, result: unknown, request: unknown): string | null {
  const shape = resultShape(kind, result);
  if (shape === 'range-test') return renderRangeTestSvg(result, request);
  if (shape === 'schedules') return renderScheduleSimulationSvg(result, request);
  if (shape === 'diagnostics') return renderDiagnosticsSvg(result);
  return null;
}

export function renderJobCsv(kind: string, result: unknown): string | null {
  const shape = resultShape(kind, result);
  if (shape === 'range-test') return renderRangeTestCsv(result);
  if (shape === 'schedules') return renderScheduleCsv(result);
  if (shape === 'diagnostics') return renderDiagnosticsCsv(result);
  return null;
}
