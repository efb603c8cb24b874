/**
 * Server-Sent Events at scale: 200 streams share one event subscription per process (no stream
 * polls Redis: the command rate does not grow with the streams), every stream gets its job's final
 * status, the service keeps answering meanwhile, and LIMIT_SSE_STREAMS answers 503 + Retry-After.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobApi, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let admin: Redis;

beforeAll(async () => {
  s = await startStack({ tag: 'sse', worker: false, listen: true, env: { LIMIT_SSE_STREAMS: '200' } });
  admin = new Redis(s.redis.url);
});

afterAll(async () => {
  admin?.disconnect();
  await s?.close();
});

const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await admin.info('stats'))![1]);

/** Opens a stream; resolves with every `status` it saw once it ends. */
function follow(url: string, signal?: AbortSignal): { opened: Promise<Response>; statuses: Promise<string[]> } {
  let open!: (r: Response) => void;
  const opened = new Promise<Response>((r) => {
    open = r;
  });
  const statuses = (async () => {
    const res = await fetch(url, { signal });
    open(res);
    const seen: string[] = [];
    if (res.status !== 200) return seen;
    const reader = res.body!.getReader();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += new TextDecoder().decode(value);
        for (const m of buf.matchAll(/event: status\ndata: (.*)\n/g)) seen.push(JSON.parse(m[1]).status);
        buf = buf.slice(buf.lastIndexOf('\n\n') + 2);
      }
    } catch {
      /* aborted */
    }
    return seen;
  })();
  return { opened, statuses };
}

describe('SSE fan-out', () => {
  it('200 open streams: Redis commands do not grow with them; the 201st is a 503 with Retry-After', async () => {
    const api = jobApi(s, 'lr-range-tests');
    const job = (await api.submit({ preset: 'spirals-mlp', num_iter: 10 })).json; // stays queued: no worker yet
    const ac = new AbortController();
    const streams = Array.from({ length: 200 }, () =>
      follow(`${s.base}/v1/lr-range-tests/${job.id}/events`, ac.signal),
    );
    const opened = await Promise.all(streams.map((x) => x.opened));
    expect(opened.every((r) => r.status === 200)).toBe(true);

    const over = await fetch(`${s.base}/v1/lr-range-tests/${job.id}/events`);
    expect(over.status).toBe(503);
    expect(over.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await over.json()) as { code: string }).code).toBe('too_many_streams');

    // two idle seconds with 200 streams open: a shared backstop, not 200 pollers
    const c0 = await commands();
    await new Promise((r) => setTimeout(r, 2000));
    const used = (await commands()) - c0;
    expect(used).toBeLessThan(50);
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
    ac.abort();
    await Promise.all(streams.map((x) => x.statuses));
  });

  it("200 streams over 20 jobs: every stream ends with its job's final status", async () => {
    const api = jobApi(s, 'lr-range-tests');
    const jobs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.submit({ preset: 'spirals-mlp', num_iter: 30, seed: i }).then((r) => r.json),
      ),
    );
    // wait until the first test's streams are gone
    for (let i = 0; i < 100 && s.t.jobs.events.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const streams = jobs.flatMap((j) =>
      Array.from({ length: 10 }, () => follow(`${s.base}/v1/lr-range-tests/${j.id}/events`)),
    );
    expect((await Promise.all(streams.map((x) => x.opened))).every((r) => r.status === 200)).toBe(true);
    await s.startWorker();
    const all = await Promise.all(streams.map((x) => x.statuses));
    for (const seen of all) expect(seen[seen.length - 1]).toBe('succeeded');
  }, 120_000);
});
