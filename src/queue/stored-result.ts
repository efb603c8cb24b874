/**
 * A succeeded job's result as the bytes Redis holds, never parsed on the API's event loop.
 *
 * Workers serialise a result in the training thread (JSON text, finite numbers or null: the
 * thread's serialiser and the kind's result schema guarantee no NaN or Infinity) and hand BullMQ
 * that text; BullMQ stores `JSON.stringify(text)` in the job hash's `returnvalue` field, a JSON
 * string literal. Undoing that literal needs no parse: JSON text made by JSON.stringify holds no
 * control characters and no lone surrogates, so the literal's only escapes are `\"` and `\\`, and
 * they are undone with native searches and copies. Anything else (an older job that stored the
 * object itself: its `returnvalue` is already the JSON text) is handled too; a literal with other
 * escapes, which no worker writes, is decoded in full.
 */

/** The JSON text of a stored `returnvalue` (bytes), or null when there is none. */
export function resultJson(raw: Buffer | null): Buffer | null {
  if (raw === null || raw.length === 0) return null;
  if (raw[0] !== 0x22) return raw; // not a string literal: the object's own JSON text (older workers)
  return unquote(raw) ?? Buffer.from(JSON.parse(raw.toString('utf8')) as string, 'utf8');
}

/** A JSON string literal whose only escapes are `\"` and `\\`, unquoted; null when it has others. */
export function unquote(raw: Buffer): Buffer | null {
  const end = raw.length - 1;
  if (end < 1 || raw[end] !== 0x22) return null;
  const out = Buffer.allocUnsafe(end - 1);
  let o = 0;
  let i = 1;
  for (;;) {
    const j = raw.indexOf(0x5c, i);
    if (j < 0 || j >= end) {
      o += raw.copy(out, o, i, end);
      break;
    }
    o += raw.copy(out, o, i, j);
    const c = raw[j + 1];
    if (c !== 0x22 && c !== 0x5c) return null;
    out[o++] = c;
    i = j + 2;
  }
  return out.subarray(0, o);
}

/**
 * A job resource serialised with `result: null` (the route's own serialiser, so every other byte is
 * what it always was) with the stored result text put in place of that null. The resource's fields
 * come in schema order (`..., request, result, error, links`): the top-level `"result":null` is the
 * last one followed by `,"error":` (the error problem and links hold no such key).
 */
export function spliceResult(envelope: string, result: Buffer): Buffer {
  const marker = ',"result":null,"error":';
  const at = envelope.lastIndexOf(marker);
  if (at < 0) throw new Error('the job resource has no "result":null to put the stored result in');
  const head = Buffer.from(envelope.slice(0, at + ',"result":'.length), 'utf8');
  const tail = Buffer.from(envelope.slice(at + ',"result":null'.length), 'utf8');
  return Buffer.concat([head, result, tail], head.length + result.length + tail.length);
}
