/**
 * A result's JSON text as the API serves it. GET /v1/{kind}/{id} sends the stored text spliced
 * into the job resource without parsing it (src/queue/stored-result.ts); the text must be, byte
 * for byte, what the API's response serialiser writes for the parsed result: fast-json-stringify
 * on the kind's result schema (fields in schema order, ±Infinity as null, NaN replaced by null as
 * the API's nonFiniteSafe does), with every shared schema known by its $id as in the app.
 * So the stored text never holds NaN or Infinity, and it is checked against LIMIT_RESULT_BYTES.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { nonFiniteSafe } from '../src/api/sanitize.js';
import { SHARED_SCHEMAS } from '../src/api/schemas.js';
import { findKind } from '../src/kinds/registry.js';

type Serializer = (doc: unknown) => string;
const serializers = new Map<string, Serializer>();

export function resultText(kindName: string, result: unknown): string {
  let s = serializers.get(kindName);
  if (!s) {
    const kind = findKind(kindName);
    if (!kind) throw new Error(`no job kind ${kindName}`);
    const external = Object.fromEntries(SHARED_SCHEMAS.map((x) => [(x as { $id: string }).$id, x]));
    const compile = SerializerSelector()(external as never, {} as never);
    s = nonFiniteSafe(
      compile({
        schema: { $ref: `${(kind.schemas.result as { $id: string }).$id}#` },
        method: 'GET',
        url: '/',
        httpStatus: '200',
      } as never) as Serializer,
    );
    serializers.set(kindName, s);
  }
  return s(result);
}
