/** The job resource returned by POST /v1/{kind} and GET /v1/{kind}/{id}. */
import Type, { type TSchema } from 'typebox';
import { FiniteOrNull, JobStatus } from './common.js';

export const JOB_KINDS = ['lr-range-tests', 'schedule-simulations', 'diagnostics'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const Progress = Type.Object(
  {
    iteration: Type.Integer({ description: 'iterations done' }),
    total: Type.Integer({ description: 'iterations planned' }),
    lr: FiniteOrNull,
    loss: FiniteOrNull,
  },
  { $id: 'Progress', additionalProperties: true },
);

const Timestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export function JobResource(id: string, request: TSchema, result: TSchema) {
  return Type.Object(
    {
      id: Type.String({ format: 'uuid' }),
      kind: Type.String(),
      status: JobStatus,
      progress: Type.Union([Type.Ref('Progress'), Type.Null()]),
      created_at: Type.String({ format: 'date-time' }),
      started_at: Timestamp,
      finished_at: Timestamp,
      request,
      result: Type.Union([result, Type.Null()]),
      error: Type.Union([Type.Ref('Problem'), Type.Null()]),
      links: Type.Object({ self: Type.String(), cancel: Type.String() }, { additionalProperties: true }),
    },
    { $id: id, additionalProperties: false },
  );
}
