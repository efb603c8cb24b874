/**
 * A disk cache of trained candidates for the suggestion-quality benchmark. Training is
 * deterministic (seeded init and batch order), so a candidate LR trained once for a setup + seed
 * never needs training again: the file of a setup (bench/results/search-cache/<hash>.json, the hash
 * of the TrainSpec, schedule, metric and horizon) keeps, per LR, the metric after every checkpoint
 * (multiples of `every` steps and every step count asked for), the steps run and why it stopped.
 * `CachedRunner` answers trials from it and trains only what is missing, with the real
 * `createTrialRunner` — so a cached answer is the answer the job's runner gives.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTrialRunner, type TrialRunner, type TrialRunnerSetup } from '../../src/lrfinder/search/trial-runner.js';
import type { TrialReport, TrialStopReason } from '../../src/lrfinder/search/types.js';
import type { RangeTestOutcome } from '../../src/lrfinder/range-test.js';

export const CACHE_DIR = join(process.cwd(), 'bench', 'results', 'search-cache');

interface RunRecord {
  /** steps trained (the run stopped there when `stop` is set) */
  steps_run: number;
  stop: TrialStopReason | null;
  /** metric by step count */
  metrics: Record<string, number | null>;
}

interface CacheFile {
  key: string;
  initial: number | null;
  runs: Record<string, RunRecord>;
  range_tests: Record<string, RangeTestOutcome>;
}

export function hashKey(material: unknown): string {
  return createHash('sha1').update(JSON.stringify(material)).digest('hex').slice(0, 16);
}

/** The cache key of a runner setup (everything that changes a trained curve). */
export function setupKey(s: TrialRunnerSetup): string {
  const { optimizer, ...spec } = s.spec;
  const { lr: _lr, ...opt } = optimizer;
  return hashKey({
    spec: { ...spec, optimizer: opt },
    schedule: s.schedule ?? null,
    horizon: s.schedule ? s.train_steps : null,
    metric: s.metric,
    diverge_th: s.diverge_th ?? 5,
  });
}

export class CachedRunner {
  private readonly file: string;
  private readonly data: CacheFile;
  private real: TrialRunner | null = null;
  private dirty = false;
  /** steps trained so far in the current search, per LR (for `steps_trained`) */
  private session = new Map<number, number>();
  trainedSteps = 0;

  constructor(
    private readonly setup: () => TrialRunnerSetup,
    key: string,
    private readonly every: number,
  ) {
    this.file = join(CACHE_DIR, `${key}.json`);
    this.data = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile)
      : { key, initial: null, runs: {}, range_tests: {} };
  }

  private runner(): TrialRunner {
    this.real ??= createTrialRunner(this.setup());
    return this.real;
  }

  private resumable = true;

  /** start a new search: no candidate has trained yet; `resumable`: trials continue a candidate's steps */
  newSession(resumable = true): void {
    this.session = new Map();
    this.resumable = resumable;
  }

  initialMetric(): number {
    if (this.data.initial === null) {
      this.data.initial = this.runner().initialMetric();
      this.dirty = true;
    }
    return this.data.initial;
  }

  rangeTest(optsKey: string, run: () => RangeTestOutcome): RangeTestOutcome {
    if (!this.data.range_tests[optsKey]) {
      this.data.range_tests[optsKey] = run();
      this.dirty = true;
    }
    return this.data.range_tests[optsKey];
  }

  /** The metric after `steps` steps at `lr` (null: stopped before), training what is missing. */
  record(lr: number, steps: number, extra: readonly number[] = []): RunRecord {
    const k = String(lr);
    const have = this.data.runs[k];
    const known = (st: number): boolean =>
      have !== undefined &&
      ((have.stop !== null && have.steps_run <= st) || Object.prototype.hasOwnProperty.call(have.metrics, String(st)));
    if (known(steps) && extra.every(known)) return have;
    const r = this.runner();
    const evalAt: number[] = [...extra];
    for (let s = this.every; s < steps; s += this.every) evalAt.push(s);
    r.release(lr); // train from the start: the live trainer may be past `steps`
    const out = r.run(lr, steps, evalAt);
    const rec: RunRecord = have ? { ...have, metrics: { ...have.metrics } } : { steps_run: 0, stop: null, metrics: {} };
    for (const m of out.metrics_at) rec.metrics[String(m.steps)] = m.metric;
    rec.steps_run = Math.max(rec.steps_run, out.steps);
    if (out.stop_reason !== 'completed') {
      rec.stop = out.stop_reason;
      rec.steps_run = out.steps;
    }
    this.data.runs[k] = rec;
    this.trainedSteps += out.steps_trained;
    this.dirty = true;
    r.release(lr);
    return rec;
  }

  /** A trial as the real runner would report it within the current search. */
  release(lr: number): void {
    this.session.delete(lr);
  }

  run(lr: number, steps: number, evalAt: readonly number[] = []): TrialReport {
    const rec = this.record(lr, steps, evalAt);
    const before = this.resumable ? (this.session.get(lr) ?? 0) : 0;
    const stopped = rec.stop !== null && rec.steps_run <= steps;
    const reached = stopped ? rec.steps_run : steps;
    this.session.set(lr, Math.max(before, reached));
    return {
      lr,
      steps: reached,
      steps_trained: Math.max(0, reached - before),
      metric: stopped ? null : rec.metrics[String(steps)],
      diverged: stopped,
      stop_reason: stopped ? rec.stop! : 'completed',
      metrics_at: evalAt
        .filter((st) => st < reached)
        .map((st) => ({ steps: st, metric: rec.metrics[String(st)] ?? null })),
    };
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}
