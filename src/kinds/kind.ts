/**
 * What a job kind is. Each kind is one folder, src/kinds/<kind>/, whose index.ts exports one
 * `JobKindModule`: its request and typed result schemas, its resolve step (defaults, presets,
 * limits), its runner (pure: the core plus the I/O the worker injects), its list summary, where
 * its dataset ids sit, and its views. The registry (./registry.ts) lists the modules; the job
 * routes, the job views, the list, the OpenAPI document, the processor and the training thread
 * loop over it, so nothing else names a kind or guesses one from a payload's shape.
 *
 * Inside its folder a kind is typed end to end: the runner returns `Result`, the summary and the
 * views receive it. The registry holds the modules with their types erased (`RegisteredKind`); what
 * crosses that boundary is validated once — bodies by Fastify against `schemas.request`, results
 * against `schemas.result` in the training thread — and stored requests are `resolve`'s output.
 */
import type { TObject, TSchema } from 'typebox';
import type { Limits } from '../config.js';
import type { KindPreset, ResolveContext, ResolvedData } from '../contracts/resolve.js';
import type { Dataset, TrainSpec } from '../core/spec.js';
import type { Backend } from '../core/types.js';

/** What a backend is sized for: one trainer's input width, outputs, task, and an upper bound of its training rows. */
export interface TrainerShape {
  features: number;
  outputs: number;
  task: 'classification' | 'regression';
  rows: number;
}

/** What a runner gets from the worker: the I/O a pure runner may not do itself. */
export interface JobDeps {
  /** a numeric backend sized for one trainer */
  backend(spec: TrainSpec, shape: TrainerShape): Backend;
  /** the rows of a dataset that needs I/O (uploaded, MNIST); undefined: the core generates it from the spec */
  dataset(data: ResolvedData, seed: number): Dataset | undefined;
  /** points kept per per-layer series of a result (LIMIT_LAYER_POINTS); unset = all */
  layerPoints?: number;
}

/** A progress point: what `GET /v1/{kind}/{id}` shows as `progress` and SSE streams (the `Progress` schema). */
export interface JobProgress {
  iteration: number;
  total: number;
  lr: number | null;
  loss: number | null;
  [key: string]: unknown;
}

/** A rendering of a finished job's result, and the OpenAPI description of its route. */
export interface KindView<Result, Resolved> {
  /** what the picture or table shows, for the route's OpenAPI description */
  description: string;
  render(result: Result, request: Resolved): string;
}

export interface JobKindModule<Name extends string, Body, Resolved, Result, Summary> {
  /** URL segment (/v1/{name}), BullMQ queue name and OpenAPI tag */
  readonly name: Name;
  /** the OpenAPI tag's description */
  readonly description: string;
  /** how the docs name one job and several, with the article for one: `{a: 'an', one: 'LR search', many: 'LR
   * searches'}` */
  readonly noun: { a: 'a' | 'an'; one: string; many: string };
  /** POST /v1/{name}: the operation's summary and description (which may quote the configured limits) */
  readonly post: { summary: string; description(limits: Readonly<Limits>): string };
  /** every schema with an `$id` the kind adds to the document, in dependency order, and the three its routes use */
  readonly schemas: { request: TSchema; result: TSchema; job: TSchema; components: readonly TSchema[] };
  readonly presets: readonly KindPreset<Body>[];
  /** the stored request: the preset merged, every default filled, every limit checked; throws ProblemError */
  resolve(body: Body, ctx: ResolveContext): Resolved;
  /** the uploaded datasets a request names (as sent, or resolved): looked up before resolving, their rows fetched
   * before running */
  datasetIds(request: Body | Resolved): string[];
  /** the job: a generator of progress points that returns the result */
  run(request: Resolved, deps: JobDeps): Generator<JobProgress, Result>;
  /** GET /v1/{name}: a list item's `summary`, the headline of a result */
  readonly summary: { schema: TObject; of(result: Result): Summary };
  /** GET /v1/{name}/{id}/plot.svg and /curve.csv */
  readonly views: { svg?: KindView<Result, Resolved>; csv?: KindView<Result, Resolved> };
  /** optional: the job split into tasks that every worker can take at once (see KindFanOut) */
  readonly fanout?: KindFanOut<Resolved, Result>;
}

/** One task of a fanned-out job: an id unique within the job, and the task whose carry it continues. */
export interface FanTask {
  id: string;
  /** the task whose `carry` this one starts from (a continued trainer), or null */
  after: string | null;
  [key: string]: unknown;
}

/** What a task hands back: its output (JSON, told to the job) and its carry for a later task (structured-clonable). */
export interface FanTaskOutcome {
  output: unknown;
  carry: unknown;
}

/**
 * A job that fans out (workers/fanout.ts): `start` runs in the job's thread; then, until `tasks` is
 * empty, every task of `tasks` runs as an internal child job on any worker (`run`, pure, in that
 * worker's thread) and, once all of them finished, `tell` takes their outputs in the order `tasks`
 * gave them, so the order in which they finished never matters; `finish` makes the result in the
 * job's thread. The state is plain JSON. Same request → the same result as `run`, bit for bit.
 */
export interface KindFanOut<Resolved, Result> {
  start(request: Resolved, deps: JobDeps): Generator<JobProgress, unknown>;
  tasks(state: unknown): FanTask[];
  run(
    request: Resolved,
    task: FanTask,
    carry: unknown,
    deps: JobDeps,
  ): Generator<Record<string, unknown>, FanTaskOutcome>;
  tell(state: unknown, outputs: readonly unknown[]): unknown;
  /** the tasks whose carry a later task may still need */
  keep(state: unknown): string[];
  /** the job's progress point: the state, the outputs of the tasks that finished, the last steps of the others */
  progress(state: unknown, done: readonly unknown[], running: readonly Record<string, unknown>[]): JobProgress;
  finish(request: Resolved, state: unknown): Generator<JobProgress, Result>;
}

/** Declares a kind, checking its parts against each other (the runner's result is what the views take, ...). */
export function defineKind<Name extends string, Body, Resolved, Result, Summary>(
  kind: JobKindModule<Name, Body, Resolved, Result, Summary>,
): JobKindModule<Name, Body, Resolved, Result, Summary> {
  return kind;
}
