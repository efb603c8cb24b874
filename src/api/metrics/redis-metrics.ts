/**
 * Metrics whose values live in Redis (written by the workers, read at scrape time), as prom-client
 * registry entries: objects with `name`, `help`, `type` and an async `get()` that prom-client's
 * Registry formats like its own metrics (prom-client lib/registry.js getMetricsAsString: each value
 * may name its `metricName`, as its own Histogram does for `_bucket`, `_sum` and `_count`).
 */
import type { Registry } from 'prom-client';
import { JOB_DURATION_BUCKETS, type FinishSeries } from '../../queue/finish-stats.js';

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface CustomMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram' | 'gauge';
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' }>;
  reset(): void;
}

function register(registry: Registry, m: CustomMetric): void {
  registry.registerMetric(m as never);
}

/**
 * lrf_jobs_finished_total and lrf_job_duration_seconds from one read of the finish stats (shared
 * by both metrics of one scrape). A read that fails (Redis down) leaves both without values.
 */
export function registerFinishMetrics(registry: Registry, read: () => Promise<FinishSeries[] | null>): void {
  const counter: CustomMetric = {
    name: 'lrf_jobs_finished_total',
    help: 'Jobs that reached a final state, by kind and final status (service-wide: every worker adds to it in Redis)',
    type: 'counter',
    aggregator: 'sum',
    reset: () => undefined,
    async get() {
      const series = (await read()) ?? [];
      const values = series.map((s) => ({ value: s.count, labels: { kind: s.kind, status: s.status } }));
      return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
    },
  };
  const histogram: CustomMetric = {
    name: 'lrf_job_duration_seconds',
    help: 'Run time of finished jobs (started → final state), by kind and final status (service-wide)',
    type: 'histogram',
    aggregator: 'sum',
    reset: () => undefined,
    async get() {
      const series = (await read()) ?? [];
      const values: MetricValue[] = [];
      for (const s of series) {
        const labels = { kind: s.kind, status: s.status };
        JOB_DURATION_BUCKETS.forEach((le, i) =>
          values.push({ metricName: `${this.name}_bucket`, labels: { le, ...labels }, value: s.cumulative[i] }),
        );
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { le: '+Inf', ...labels },
          value: s.cumulative[JOB_DURATION_BUCKETS.length],
        });
        values.push({ metricName: `${this.name}_sum`, labels, value: s.sum });
        values.push({ metricName: `${this.name}_count`, labels, value: s.cumulative[JOB_DURATION_BUCKETS.length] });
      }
      return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
    },
  };
  register(registry, counter);
  register(registry, histogram);
}

/** A gauge read at scrape time that has no value (rather than a made-up 0) when the read fails. */
export function registerReadGauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => Promise<number | null>,
): void {
  register(registry, {
    name,
    help,
    type: 'gauge',
    aggregator: 'sum',
    reset: () => undefined,
    async get() {
      const v = await read();
      return { name, help, type: 'gauge', values: v === null ? [] : [{ value: v, labels: {} }], aggregator: 'sum' };
    },
  });
}
