/**
 * The work the offload threads do (./thread.ts), as plain functions (the tests call them on their
 * own too). Each keeps the exact checks, order and problems the routes had on the event loop:
 *
 * - upload: JSON as the app's body parser reads it (secure parse, non-finite numbers), the
 *   DatasetUploadRequest schema with the body validator's options and error wording, then the
 *   query rules and the inline-data checks; CSV: `?task=` required, then parseCsv and the same checks.
 * - view: a stored result's plot.svg or curve.csv from its JSON text.
 */
import type { AnySchema } from 'ajv';
import { invalid, ProblemError } from '../../contracts/problems.js';
import { findKind } from '../../kinds/registry.js';
import { checkUpload, parseCsv, type UploadBody } from '../../sync/datasets/contract.js';
import { allFieldErrors } from '../errors.js';
import { parseJsonBody } from '../json-body.js';
import { bodyValidator, makeAjv } from '../schemas.js';
import type { UploadDone, UploadTask, ViewTask } from './protocol.js';

let uploadSchema: ReturnType<typeof bodyValidator> | null = null;

/** The route's body validation (the body validator schemas.ts installs: every mistake, bounded), as a thrown problem.
 * */
function validateUploadBody(body: unknown): void {
  uploadSchema ??= bodyValidator(makeAjv(true), makeAjv(true, true), { $ref: 'DatasetUploadRequest' } as AnySchema);
  if (uploadSchema(body)) return;
  const errors = allFieldErrors(uploadSchema.errors ?? [], 'body');
  throw new ProblemError(
    400,
    'invalid_request',
    'Invalid request',
    errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '),
    errors,
  );
}

export function runUpload(t: UploadTask): UploadDone {
  const text = Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength).toString('utf8');
  const q = t.query;
  let body: UploadBody;
  if (t.format === 'csv') {
    if (q.task === undefined)
      throw invalid('/querystring/task', 'is required for a CSV upload: classification or regression');
    body = { task: q.task, name: q.name, ...parseCsv(text, q.target) };
  } else {
    const parsed = parseJsonBody(text);
    validateUploadBody(parsed);
    for (const k of ['task', 'target', 'name'] as const) {
      if (q[k] !== undefined)
        throw invalid(`/querystring/${k}`, 'is for CSV uploads; a JSON upload carries name and task in its body');
    }
    body = parsed as UploadBody;
  }
  const shape = checkUpload(body, t.limits);
  return {
    name: body.name ?? null,
    shape,
    rows: new Uint8Array(Buffer.from(JSON.stringify({ x: body.x, y: body.y }), 'utf8')),
  };
}

export function runView(t: ViewTask): string {
  const views = findKind(t.kind)?.views;
  const view = t.view === 'svg' ? views?.svg : views?.csv;
  if (!view) throw new Error(`no ${t.view} view for kind ${t.kind}`);
  const text = Buffer.from(t.result.buffer, t.result.byteOffset, t.result.byteLength).toString('utf8');
  return view.render(JSON.parse(text) as never, t.request as never);
}
