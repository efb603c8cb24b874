/**
 * Server-Sent Events framing (WHATWG HTML, "Server-sent events"): `event:` + one `data:` line per
 * line of the payload, a blank line ends the event; a line starting with ':' is a comment
 * (heartbeat). JSON payloads have no raw newlines, but every line is framed regardless.
 */
export function sseEvent(event: string, data: unknown, extra: { id?: string; retryMs?: number } = {}): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  let out = '';
  if (extra.retryMs !== undefined) out += `retry: ${Math.max(0, Math.floor(extra.retryMs))}\n`;
  if (extra.id !== undefined) out += `id: ${extra.id.replace(/[\r\n]/g, '')}\n`;
  out += `event: ${event.replace(/[\r\n]/g, '')}\n`;
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}

export function sseComment(text: string): string {
  return (
    text
      .split(/\r\n|\r|\n/)
      .map((l) => `: ${l}\n`)
      .join('') + '\n'
  );
}
