/**
 * GET /v1/lr-searches/{id}/plot.svg: the search's plot (src/views/search-plot.ts) with the job's
 * preset, optimizer, schedule, cost and seed under the title. Pure: result + request in, SVG text out.
 */
import { renderSearchPlot } from '../../views/search-plot.js';
import type { LrSearchResult } from './contract.js';
import type { ResolvedLrSearch } from './resolve.js';

export function renderLrSearchSvg(r: LrSearchResult, req: ResolvedLrSearch): string {
  const sub = [
    req.preset ? `preset ${req.preset}` : '',
    `optimizer ${req.optimizer.type}`,
    req.schedule ? String(req.schedule.type) : 'constant LR',
    `cost ${r.cost.steps} steps (a 13-point grid: ${r.cost.grid_steps})`,
    `seed ${r.seed}`,
  ]
    .filter(Boolean)
    .join(' · ');
  return renderSearchPlot(r, { subtitle: sub, peak: Boolean(req.schedule) });
}
