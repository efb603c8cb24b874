/** Server-Sent Events framing. */
import { describe, expect, it } from 'vitest';
import { sseComment, sseEvent } from '../../../src/api/views/sse.js';

describe('SSE framing', () => {
  it('event + data lines + blank line; retry and id when given', () => {
    expect(sseEvent('progress', { iteration: 3, loss: null })).toBe(
      'event: progress\ndata: {"iteration":3,"loss":null}\n\n',
    );
    expect(sseEvent('status', 'a\nb', { retryMs: 2000, id: '7' })).toBe(
      'retry: 2000\nid: 7\nevent: status\ndata: a\ndata: b\n\n',
    );
  });
  it('a newline in the event name cannot inject a field; comments start with ":"', () => {
    expect(sseEvent('x\ndata: evil', 1)).toBe('event: xdata: evil\ndata: 1\n\n');
    expect(sseComment('keep-alive')).toBe(': keep-alive\n\n');
  });
});
