/** The job resource returned by POST /v1/{kind} and GET /v1/{kind}/{id}. */
import Type, { type TSchema } from 'typebox';
import { JobStatus } from './common.js';

export const Progress = Type.Object(
  {
    iteration: Type.Integer({
      description:
        'steps done so far, counting from 1 (iteration / total is the fraction done). A count, not an index: the point it ' +
        "reports is the result's 0-based point iteration − 1 (`lrs[iteration − 1]`, `losses[iteration − 1]`, the CSV row whose " +
        "`iteration` column is iteration − 1, a suggestion's `index`). Counts across runs with repeats, and across schedules.",
    }),
    total: Type.Integer({
      description:
        "steps planned: num_iter × repeats, steps × schedules, an LR search's budget_steps, a diagnosis's checks and steps",
    }),
    lr: Type.Union([Type.Number(), Type.Null()], { description: 'the LR of the step just done' }),
    loss: Type.Union([Type.Number(), Type.Null()], { description: 'its loss (null: not finite, or none)' }),
  },
  { $id: 'Progress', additionalProperties: true },
);

const Timestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** The fields every job resource and every list item share: identity, status, progress, timestamps. */
export const JOB_HEADER_FIELDS = {
  id: Type.String({ format: 'uuid' }),
  kind: Type.String(),
  status: JobStatus,
  progress: Type.Union([Type.Ref('Progress'), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  started_at: Timestamp,
  finished_at: Timestamp,
};

/**
 * `request` is the request as it runs: the preset merged and every default filled in (layers
 * expanded, the initializer's resolved arguments...). It is documented by the request schema but
 * serialised as a plain object — an echo must never fail to serialise after a job was queued.
 */
export function JobResource(id: string, request: TSchema, result: TSchema) {
  const requestRef = (request as { $ref?: string }).$ref;
  const echo = Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    additionalProperties: true,
    description: `the request as run: the preset merged, every default filled in (the fields of ${requestRef ?? 'the request'})`,
  });
  return Type.Object(
    {
      ...JOB_HEADER_FIELDS,
      request: echo,
      result: Type.Union([result, Type.Null()]),
      error: Type.Union([Type.Ref('Problem'), Type.Null()]),
      links: Type.Object({ self: Type.String(), cancel: Type.String() }, { additionalProperties: true }),
    },
    { $id: id, additionalProperties: false },
  );
}

/**
 * The fields every job kind's request takes besides its own (the registry adds them to each kind's
 * request schema, src/kinds/registry.ts). The route takes them off before the kind resolves the
 * rest, and stores them with the resolved request.
 */
export const JOB_REQUEST_FIELDS = {
  callback_url: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        'http(s) URL to POST the job resource to when the job reaches its final state (succeeded, failed or canceled), ' +
        "signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256 with the service's WEBHOOK_SECRET); " +
        'retried with backoff until a 2xx. No credentials in the URL; loopback and private addresses are refused unless the operator allows the host (WEBHOOK_ALLOW_HOSTS).',
      examples: ['https://example.com/hooks/lr-finder'],
    }),
  ),
};

/** What the job route takes off a body before resolving (the names of JOB_REQUEST_FIELDS). */
export const JOB_REQUEST_FIELD_NAMES = Object.keys(JOB_REQUEST_FIELDS) as (keyof typeof JOB_REQUEST_FIELDS)[];
