/**
 * The job kinds. The job routes, the job views, the list, the OpenAPI tags and schemas, the
 * processor and the training thread loop over this list; a new kind is its folder (see ./kind.ts)
 * and one line here. The order is the order the API documents them in.
 */
import type { TSchema } from 'typebox';
import { JOB_REQUEST_FIELDS } from '../contracts/job.js';
import { diagnostics } from './diagnostics/index.js';
import type { JobKindModule } from './kind.js';
import { lrRangeTests } from './lr-range-tests/index.js';
import { lrSearches } from './lr-searches/index.js';
import { scheduleSimulations } from './schedule-simulations/index.js';

const MODULES = [lrRangeTests, scheduleSimulations, diagnostics, lrSearches] as const;

/** A kind's name: the `{kind}` of /v1/{kind}, its queue, its OpenAPI tag. */
export type JobKind = (typeof MODULES)[number]['name'];

/** A kind as the code that serves every kind sees it: its types erased (see ./kind.ts). */
export type RegisteredKind = JobKindModule<JobKind, unknown, unknown, unknown, unknown>;

/**
 * A kind as served: its request schema also takes the fields every job shares (`callback_url`,
 * JOB_REQUEST_FIELDS), in this one place rather than in every kind's contract. The kind's own
 * resolve never sees them (the job route takes them off first).
 */
function withJobFields(k: RegisteredKind): RegisteredKind {
  const own = k.schemas.request as TSchema & { properties: Record<string, TSchema> };
  const request = { ...own, properties: { ...own.properties, ...JOB_REQUEST_FIELDS } } as TSchema;
  return {
    ...k,
    schemas: { ...k.schemas, request, components: k.schemas.components.map((c) => (c === own ? request : c)) },
  };
}

export const KINDS: readonly RegisteredKind[] = MODULES.map(withJobFields);

export const JOB_KINDS: readonly JobKind[] = KINDS.map((k) => k.name);

/** The kind of that name; undefined for a name no kind has (a job queued by another version, say). */
export function findKind(name: string): RegisteredKind | undefined {
  return KINDS.find((k) => k.name === name);
}

/** Every kind's schemas with an `$id` (OpenAPI components), in order. */
export const KIND_SCHEMAS = KINDS.flatMap((k) => k.schemas.components);

/** GET /v1/presets: every kind's presets, each naming its kind. */
export const PRESETS = KINDS.flatMap((k) =>
  k.presets.map((p) => ({ name: p.name, description: p.description, kinds: [k.name], body: p.body })),
);
