/**
 * "No NaN or Infinity ever reaches JSON", for every response body the app serialises:
 *
 * - without a response schema Fastify uses JSON.stringify, which writes NaN and ±Infinity as null;
 * - with one, fast-json-stringify writes ±Infinity in a `number` field as null, and throws on NaN
 *   in a number field and on any non-finite number in an `integer` field. The app's serialisers
 *   (nonFiniteSafeSerializers, installed by app.ts) catch that throw and serialise again with
 *   every non-finite number replaced by null (sanitizeNonFinite).
 *
 * So no body carries a NaN or Infinity token, and a body with only finite numbers (every body in
 * practice: results are built finite-or-null by the workers) costs nothing more than its
 * serialisation: nothing walks it.
 */
import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

/** Replaces non-finite numbers with null (plain objects and arrays, copied only where something changes). */
export function sanitizeNonFinite<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const w = walk(v[i]);
      if (w !== v[i]) {
        copy ??= v.slice();
        copy[i] = w;
      }
    }
    return copy ?? v;
  }
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    let copy: Record<string, unknown> | null = null;
    for (const [k, x] of Object.entries(v)) {
      const w = walk(x);
      if (w !== x) {
        copy ??= { ...(v as Record<string, unknown>) };
        copy[k] = w;
      }
    }
    return copy ?? v;
  }
  return v;
}

type Serializer = (doc: unknown) => string;

/** A schema serialiser that, when it throws on a body holding a non-finite number, serialises the sanitised body
 * instead. */
export function nonFiniteSafe(serialize: Serializer): Serializer {
  return (doc) => {
    try {
      return serialize(doc);
    } catch (err) {
      const clean = sanitizeNonFinite(doc);
      if (clean === doc) throw err;
      return serialize(clean);
    }
  };
}

/** Fastify's `schemaController.compilersFactory.buildSerializer`: its own (fast-json-stringify), each serialiser
 * nonFiniteSafe. */
export function nonFiniteSafeSerializers(): SerializerFactory {
  const base = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = base(externalSchemas, options);
    return (route) => nonFiniteSafe(compile(route));
  };
}
