/**
 * LIMIT_SSE_STREAMS_PER_KEY (issue 17 §6): one API key cannot take every event stream of a process.
 * Past its share a key gets 429 too_many_key_streams naming the limit, while another key still
 * opens streams; a closed stream gives its slot back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startStack, type Stack } from '../helpers/stack.js';

const ALICE = 'alice-key-0123456789';
const BOB = 'bob-key-0123456789';
let s: Stack;

beforeAll(async () => {
  s = await startStack({
    tag: 'ssek',
    worker: false,
    listen: true,
    env: { API_KEYS: `alice:${ALICE},bob:${BOB}`, LIMIT_SSE_STREAMS: '5', LIMIT_SSE_STREAMS_PER_KEY: '2' },
  });
}, 120_000);

afterAll(async () => {
  await s?.close();
});

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

async function submit(key: string): Promise<string> {
  const res = await s.t.app.inject({
    method: 'POST',
    url: '/v1/lr-range-tests',
    headers: auth(key),
    payload: { preset: 'spirals-mlp', num_iter: 10 },
  });
  expect(res.statusCode).toBe(202);
  return res.json().id as string;
}

/** Opens a stream and leaves it open (abort to close). */
async function open(key: string, id: string, ac: AbortController): Promise<Response> {
  return fetch(`${s.base}/v1/lr-range-tests/${id}/events`, { headers: auth(key), signal: ac.signal });
}

describe('event streams per API key', () => {
  it('a key past its share gets 429 naming LIMIT_SSE_STREAMS_PER_KEY; another key still gets streams; closing one frees a slot', async () => {
    const [a, b] = [await submit(ALICE), await submit(BOB)]; // both stay queued: no worker
    const held: AbortController[] = [];
    const hold = async (key: string, id: string) => {
      const ac = new AbortController();
      held.push(ac);
      return open(key, id, ac);
    };
    try {
      // concurrent opens: the share is exact, not checked-then-raced
      const first = await Promise.all([hold(ALICE, a), hold(ALICE, a), hold(ALICE, a), hold(ALICE, a)]);
      expect(first.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
      const refused = first.find((r) => r.status === 429)!;
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await refused.json()) as { code: string; detail: string };
      expect(body.code).toBe('too_many_key_streams');
      expect(body.detail).toMatch(/limit is 2 \(LIMIT_SSE_STREAMS_PER_KEY\)/);

      // bob is not starved by alice
      expect((await hold(BOB, b)).status).toBe(200);
      expect((await hold(BOB, b)).status).toBe(200);
      expect((await hold(BOB, b)).status).toBe(429);

      // alice closes one of hers: the slot comes back
      const i = first.findIndex((r) => r.status === 200);
      held[i].abort();
      let again = 0;
      for (let tries = 0; tries < 100 && again !== 200; tries++) {
        const ac = new AbortController();
        held.push(ac);
        const r = await open(ALICE, a, ac);
        again = r.status;
        if (again !== 200) {
          ac.abort();
          await new Promise((res) => setTimeout(res, 50));
        }
      }
      expect(again).toBe(200);
    } finally {
      for (const ac of held) ac.abort();
    }
  }, 120_000);

  it('defaults to a quarter of LIMIT_SSE_STREAMS (at least 1)', () => {
    expect(loadConfig({}).limits.sseStreamsPerKey).toBe(500);
    expect(loadConfig({ LIMIT_SSE_STREAMS: '3' }).limits.sseStreamsPerKey).toBe(1);
    expect(loadConfig({ LIMIT_SSE_STREAMS: '100', LIMIT_SSE_STREAMS_PER_KEY: '100' }).limits.sseStreamsPerKey).toBe(
      100,
    );
  });
});
