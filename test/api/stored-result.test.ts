/**
 * The stored result text (src/queue/stored-result.ts): BullMQ's `returnvalue` literal undone
 * without a parse gives exactly the worker's JSON text, whatever the strings hold; the splice puts
 * it in place of the resource's `"result":null`.
 */
import { describe, expect, it } from 'vitest';
import { resultJson, spliceResult, unquote } from '../../src/queue/stored-result.js';

const stored = (text: string) => Buffer.from(JSON.stringify(text), 'utf8');

describe('resultJson', () => {
  it.each([
    ['numbers', { lrs: [1e-7, 0.5, 10], losses: [2.3, null, 1.5] }],
    ['quotes and backslashes in strings', { warnings: [{ code: 'a"b', message: 'path C:\\tmp\\"x" \\\\ end' }] }],
    [
      'control characters, unicode and a lone surrogate',
      { message: 'tab\there\nnew line \u0001 é 漢字 🙂 \ud800 end' },
    ],
    ['an empty object', {}],
  ])('gives back the JSON text of a result stored as a string literal: %s', (_what, result) => {
    const text = JSON.stringify(result);
    expect(resultJson(stored(text))!.toString('utf8')).toBe(text);
  });

  it('an older job that stored the object itself: its returnvalue is the text already', () => {
    const text = JSON.stringify({ lrs: [1, 2] });
    expect(resultJson(Buffer.from(text))!.toString('utf8')).toBe(text);
  });

  it('a literal with other escapes is decoded in full; none is null', () => {
    const raw = Buffer.from(JSON.stringify('{"a":"x\\ny"}').replace('{', '\\u007b'));
    expect(unquote(raw)).toBeNull();
    expect(resultJson(raw)!.toString('utf8')).toBe('{"a":"x\\ny"}');
    expect(resultJson(null)).toBeNull();
    expect(resultJson(Buffer.alloc(0))).toBeNull();
  });
});

describe('spliceResult', () => {
  it('replaces the top-level "result":null, not one inside the request', () => {
    const envelope = JSON.stringify({
      id: 'j',
      request: { x: { result: null, error: 1 } },
      result: null,
      error: null,
      links: { self: '/s' },
    });
    const out = spliceResult(envelope, Buffer.from('{"lrs":[1,2]}')).toString('utf8');
    expect(JSON.parse(out)).toEqual({
      id: 'j',
      request: { x: { result: null, error: 1 } },
      result: { lrs: [1, 2] },
      error: null,
      links: { self: '/s' },
    });
  });
});
