/**
 * GET /v1/lr-search-sessions/{id}/plot.svg: a finished session's result drawn as an LR search
 * job's is (src/views/search-plot.ts): the metric at the horizon for every candidate, the
 * interval, the recommendation, over the range test the client ran. Pure: session in, SVG out.
 */
import { renderSearchPlot } from '../../views/search-plot.js';
import type { SearchSessionDoc } from './session.js';

/** the session's plot; null until it has a result */
export function renderSessionPlot(doc: SearchSessionDoc): string | null {
  const r = doc.result;
  if (!r) return null;
  const sub = [
    'your training loop',
    doc.request.range_test ? `range test ${doc.request.num_iter} steps` : 'no range test',
    `cost ${r.cost.steps} steps (a 13-point grid: ${r.cost.grid_steps})`,
  ].join(' · ');
  return renderSearchPlot(r, { subtitle: sub, peak: false });
}
