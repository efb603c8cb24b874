/**
 * GET /v1/sweep-sessions/{id}/plot.svg: a stopped session's result drawn as a range-test job's is
 * (src/views/range-test-plot.ts): raw and smoothed loss against the LR, the suggestion and every
 * method's pick. The subtitle says what the client's loop did: the LR plan, the steps the GradScaler
 * skipped, the parameter groups. Pure: session in, SVG out.
 */
import { planParts, renderRangeTestPlot } from '../../views/range-test-plot.js';
import { resultOf } from './resource.js';
import type { SweepDoc } from './store.js';

/** the session's plot; null while it runs (no result yet) */
export function renderSweepPlot(doc: SweepDoc): string | null {
  const r = resultOf(doc);
  if (r === null) return null;
  const parts = ['your training loop', ...planParts(doc.request, r)];
  const skipped = doc.state.skipped?.length ?? 0;
  if (skipped > 0) parts.push(`${skipped} skipped ${skipped === 1 ? 'step' : 'steps'}`);
  const groups = doc.request.param_groups?.length ?? 0;
  if (groups > 0) parts.push(`${groups} param groups (each at LR × its lr_mult)`);
  return renderRangeTestPlot(r, { title: 'LR range test', subtitle: parts.join(' · ') });
}
