/**
 * GET /v1/lr-range-tests/{id}/plot.svg: the range test's plot (src/views/range-test-plot.ts) with
 * the job's request in the subtitle: preset, optimizer, the LR plan, seed, runs. Pure: result +
 * request in, SVG text out.
 */
import { planParts, renderRangeTestPlot } from '../../views/range-test-plot.js';
import { fieldsOf, isNum } from '../../views/svg.js';
import type { LrRangeTestResult } from './contract.js';
import type { ResolvedRangeTest } from './resolve.js';

export { curveAt, lrAxisDomain, RANGE_TEST_LAYOUT } from '../../views/range-test-plot.js';

const obj = fieldsOf;

export function renderRangeTestSvg(result: LrRangeTestResult, request: ResolvedRangeTest): string {
  return renderRangeTestPlot(result, { title: 'LR range test', subtitle: subtitle(obj(request), obj(result)) });
}

function subtitle(req: Record<string, unknown>, r: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof req.preset === 'string') parts.push(`preset ${req.preset}`);
  const opt = obj(req.optimizer);
  if (typeof opt.type === 'string') parts.push(`optimizer ${opt.type}`);
  parts.push(...planParts(req, r));
  if (isNum(req.seed)) parts.push(`seed ${req.seed}`);
  if (Array.isArray(r.runs)) parts.push(`${r.runs.length} runs`);
  return parts.join(' · ');
}
