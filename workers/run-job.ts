/**
 * Runs one job in the training thread: the kind's runner (src/kinds/<kind>/run.ts) given the
 * worker's I/O — the backend chosen for this machine, MNIST from the `mnist` package and the
 * uploaded rows the processor fetched — and its result validated once against the kind's result
 * schema, in the JSON form that will be stored, before it leaves the thread.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { COMMON_SCHEMAS } from '../src/contracts/components.js';
import { findKind, KIND_SCHEMAS, type RegisteredKind } from '../src/kinds/registry.js';
import type { FanTask, JobDeps, JobProgress } from '../src/kinds/kind.js';
import type { Backend } from '../src/core/types.js';
import type { BackendUsed } from '../src/contracts/backend.js';
import { chooseBackend } from './backend.js';
import { loadIoDataset, type UploadRows } from './datasets.js';
import { JobInputError } from './errors.js';

// ajv-formats is CommonJS with a default export
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv | null = null;
const validators = new Map<string, ValidateFunction>();

function resultValidator(kind: RegisteredKind): ValidateFunction {
  let v = validators.get(kind.name);
  if (!v) {
    if (!ajv) {
      ajv = addFormats(new Ajv({ strict: false, allErrors: false }));
      for (const s of [...COMMON_SCHEMAS, ...KIND_SCHEMAS]) ajv.addSchema(s as object);
    }
    v = ajv.getSchema((kind.schemas.result as { $id: string }).$id)!;
    validators.set(kind.name, v);
  }
  return v;
}

/** Throws when the result, as JSON, does not match the kind's result schema (a bug: the job fails rather than store
 * it). */
export function checkResult(kind: RegisteredKind, result: unknown): void {
  const validate = resultValidator(kind);
  if (!validate(JSON.parse(JSON.stringify(result)))) {
    const e = validate.errors?.[0];
    throw new Error(
      `the ${kind.name} result does not match its schema: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`,
    );
  }
}

/** The I/O a runner gets in this worker, and which backend it chose (`used()`). */
function jobDeps(
  uploads: Readonly<Record<string, UploadRows>>,
  layerPoints?: number,
): { deps: JobDeps; used(): BackendUsed | null } {
  let used: BackendUsed | null = null;
  const deps: JobDeps = {
    backend: (spec, shape) => {
      const b: Backend & { isa?: string } = chooseBackend(spec, shape);
      used = { name: b.name, isa: b.name === 'native' ? (b.isa as BackendUsed['isa']) : null };
      return b;
    },
    dataset: (data, seed) => loadIoDataset(data, seed, uploads),
    layerPoints,
  };
  return { deps, used: () => used };
}

/** A fanned-out job's step as the thread runs it: the carry deserialised. */
export type FanStepOp =
  | { type: 'start' }
  | { type: 'task'; task: FanTask; carry: unknown }
  | { type: 'finish'; state: unknown; backend: BackendUsed | null };

/** A fanned-out step's outcome in the thread: the result (finish), or a value and a carry (start, task). */
export type FanStepOutcome = { result: unknown } | { value: unknown; carry: unknown; backend: BackendUsed | null };

/**
 * One step of a fanned-out job (workers/fanout.ts): the kind's `start`, one task, or `finish`,
 * whose result is checked like a whole job's and names the backend the start's trainers used.
 */
export function* runFanStep(
  kindName: string,
  request: unknown,
  op: FanStepOp,
  uploads: Readonly<Record<string, UploadRows>> = {},
): Generator<Record<string, unknown>, FanStepOutcome> {
  const kind = findKind(kindName);
  if (!kind?.fanout) throw new JobInputError(`no job kind ${kindName} that fans out`);
  const { deps, used } = jobDeps(uploads);
  if (op.type === 'start') {
    const value = yield* kind.fanout.start(request, deps);
    return { value, carry: null, backend: used() };
  }
  if (op.type === 'task') {
    const o = yield* kind.fanout.run(request, op.task, op.carry, deps);
    return { value: o.output, carry: o.carry, backend: used() };
  }
  const result = yield* kind.fanout.finish(request, op.state);
  if (op.backend && result !== null && typeof result === 'object') {
    (result as { backend?: BackendUsed }).backend = op.backend;
  }
  checkResult(kind, result);
  return { result };
}

/** The job's progress points, then its result. `uploads`: the rows of the uploaded datasets the request names, by id.
 * */
export function* runJob(
  kindName: string,
  request: unknown,
  uploads: Readonly<Record<string, UploadRows>> = {},
  bounds: { layerPoints?: number } = {},
): Generator<JobProgress, unknown> {
  const kind = findKind(kindName);
  if (!kind) throw new JobInputError(`no job kind ${kindName}`);
  const { deps, used } = jobDeps(uploads, bounds.layerPoints);
  const result = yield* kind.run(request, deps);
  // which backend trained it (every trainer of a job gets the same one)
  const u = used();
  if (u && result !== null && typeof result === 'object') (result as { backend?: BackendUsed }).backend = u;
  checkResult(kind, result);
  return result;
}
