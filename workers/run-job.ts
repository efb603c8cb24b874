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
import type { JobProgress } from '../src/kinds/kind.js';
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

/** Throws when the result, as JSON, does not match the kind's result schema (a bug: the job fails rather than store it). */
export function checkResult(kind: RegisteredKind, result: unknown): void {
  const validate = resultValidator(kind);
  if (!validate(JSON.parse(JSON.stringify(result)))) {
    const e = validate.errors?.[0];
    throw new Error(`the ${kind.name} result does not match its schema: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`);
  }
}

/** The job's progress points, then its result. `uploads`: the rows of the uploaded datasets the request names, by id. */
export function* runJob(
  kindName: string, request: unknown, uploads: Readonly<Record<string, UploadRows>> = {}, bounds: { layerPoints?: number } = {},
): Generator<JobProgress, unknown> {
  const kind = findKind(kindName);
  if (!kind) throw new JobInputError(`no job kind ${kindName}`);
  let used: BackendUsed | null = null;
  const result = yield* kind.run(request, {
    backend: (spec, shape) => {
      const b: Backend & { isa?: string } = chooseBackend(spec, shape);
      used = { name: b.name, isa: b.name === 'native' ? (b.isa as BackendUsed['isa']) : null };
      return b;
    },
    dataset: (data, seed) => loadIoDataset(data, seed, uploads),
    layerPoints: bounds.layerPoints,
  });
  // which backend trained it (every trainer of a job gets the same one)
  if (used && result !== null && typeof result === 'object') (result as { backend?: BackendUsed }).backend = used;
  checkResult(kind, result);
  return result;
}
