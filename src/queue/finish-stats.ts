/**
 * Service-wide counts of finished jobs, kept in Redis so that every worker process (on any host)
 * adds to the same numbers and every API process reports them on /metrics: per kind and final
 * status, the jobs finished and a histogram of their run time (BullMQ's processedOn → finishedOn).
 *
 * Two hashes (keys.ts: metricsFinished, metricsDuration), never expired (counters must only grow;
 * a few dozen fields):
 *   finished   `kind|status` → count, `kind|status|sum` → seconds (float)
 *   duration   `kind|status|<bucket index>` → jobs whose run time fell in that bucket (not
 *              cumulative; the reader accumulates)
 * One pipelined round trip per finished job, sent by the worker after BullMQ recorded the final
 * state; a worker killed in between loses that one count (metrics, not bookkeeping).
 */
import type { Redis } from 'ioredis';
import { redisKeys } from './keys.js';

/** Upper bounds (seconds) of the job run-time histogram's buckets; +Inf is implied. */
export const JOB_DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

export type FinalStatus = 'succeeded' | 'failed' | 'canceled';

/** Index of the first bucket whose upper bound holds `seconds` (JOB_DURATION_BUCKETS.length: +Inf). */
export function bucketIndex(seconds: number): number {
  const i = JOB_DURATION_BUCKETS.findIndex((le) => seconds <= le);
  return i < 0 ? JOB_DURATION_BUCKETS.length : i;
}

/** Counts one finished job (worker side). */
export async function recordFinish(
  redis: Redis,
  prefix: string,
  kind: string,
  status: FinalStatus,
  seconds: number,
): Promise<void> {
  const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const k = redisKeys(prefix);
  await redis
    .pipeline()
    .hincrby(k.metricsFinished(), `${kind}|${status}`, 1)
    .hincrbyfloat(k.metricsFinished(), `${kind}|${status}|sum`, s)
    .hincrby(k.metricsDuration(), `${kind}|${status}|${bucketIndex(s)}`, 1)
    .exec();
}

export interface FinishSeries {
  kind: string;
  status: FinalStatus;
  count: number;
  sum: number;
  /** cumulative counts per bucket of JOB_DURATION_BUCKETS, then +Inf (= count) */
  cumulative: number[];
}

/** Every (kind, status) seen so far, with its histogram (API side, at scrape time: two HGETALLs). */
export async function readFinishStats(redis: Redis, prefix: string): Promise<FinishSeries[]> {
  const k = redisKeys(prefix);
  const read = redis.pipeline().hgetall(k.metricsFinished()).hgetall(k.metricsDuration());
  const [[e1, finished], [e2, durations]] = (await read.exec()) as [Error | null, Record<string, string>][];
  if (e1) throw e1;
  if (e2) throw e2;
  const series = new Map<string, FinishSeries>();
  const get = (kind: string, status: string) => {
    const k = `${kind}|${status}`;
    let s = series.get(k);
    if (!s)
      series.set(
        k,
        (s = {
          kind,
          status: status as FinalStatus,
          count: 0,
          sum: 0,
          cumulative: new Array(JOB_DURATION_BUCKETS.length + 1).fill(0),
        }),
      );
    return s;
  };
  for (const [field, v] of Object.entries(finished)) {
    const [kind, status, sum] = field.split('|');
    if (sum === 'sum') get(kind, status).sum = Number(v);
    else get(kind, status).count = Number(v);
  }
  for (const [field, v] of Object.entries(durations)) {
    const [kind, status, idx] = field.split('|');
    const i = Number(idx);
    if (Number.isInteger(i) && i >= 0 && i <= JOB_DURATION_BUCKETS.length) get(kind, status).cumulative[i] += Number(v);
  }
  for (const s of series.values()) {
    for (let i = 1; i < s.cumulative.length; i++) s.cumulative[i] += s.cumulative[i - 1];
  }
  return [...series.values()];
}
