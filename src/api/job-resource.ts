/**
 * The job resource: what GET /v1/{kind}/{id} answers, what the job list and Server-Sent Events
 * carry, and what a webhook delivers (in `data`). Shared by the API and the workers.
 */
import { findKind } from '../kinds/registry.js';
import type { JobRecord } from '../queue/jobs.js';
import { problemBody } from './errors.js';

export function jobResource(rec: JobRecord) {
  const self = `/v1/${rec.kind}/${rec.id}`;
  const views = findKind(rec.kind)?.views;
  let error = null;
  if (rec.failure && rec.status === 'failed') {
    error = problemBody(500, rec.failure.code, titleFor(rec.failure.code), rec.failure.message);
    error.status = rec.failure.code === 'timeout' || rec.failure.code === 'resource_limit_exceeded' ? 422 : 500;
  }
  return {
    id: rec.id,
    kind: rec.kind,
    status: rec.status,
    progress: rec.progress,
    created_at: rec.created_at,
    started_at: rec.started_at,
    finished_at: rec.finished_at,
    request: rec.request,
    result: rec.result,
    error,
    links: {
      self,
      cancel: `${self}/cancel`,
      events: `${self}/events`,
      ...(views?.svg ? { plot: `${self}/plot.svg` } : {}),
      ...(views?.csv ? { csv: `${self}/curve.csv` } : {}),
    },
  };
}

function titleFor(code: string): string {
  return (
    (
      {
        timeout: 'Job timed out',
        resource_limit_exceeded: 'Memory limit exceeded',
        worker_lost: 'Worker lost',
        invalid_job: 'Invalid job',
        storage_quota_exceeded: 'Storage quota exceeded',
      } as Record<string, string>
    )[code] ?? 'Job failed'
  );
}
