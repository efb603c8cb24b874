/**
 * GET /v1/sweep-sessions/{id}/plot.svg against a real private redis-server: a stopped session's
 * result drawn by the range-test view (the curve a range-test job with the same result draws), its
 * subtitle naming the plan, the skipped steps and the parameter groups; 409 problem while running,
 * 404 for another owner.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LrRangeTestResult } from '../../src/kinds/lr-range-tests/contract.js';
import type { ResolvedRangeTest } from '../../src/kinds/lr-range-tests/resolve.js';
import { renderRangeTestSvg } from '../../src/kinds/lr-range-tests/svg.js';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { expectProblem, sweepClient, type Json } from '../helpers/sweep.js';
import { parseXml, type XmlElement } from '../helpers/xml.js';

let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
const ALICE = 'alice-secret-key-1';
const BOB = 'bob-secret-key-22';

beforeAll(async () => {
  redis = await startTestRedis();
  const prefix = `swp-${randomUUID().slice(0, 8)}`;
  t = await appOn(redis.url, { QUEUE_PREFIX: prefix, API_KEYS: `alice:${ALICE},bob:${BOB}` });
  await t.connected();
});

afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

const client = () => sweepClient(t.app, ALICE);
/** The synthetic training loop of sweep-sessions.test.ts: falls around lr = 1e-3, blows up past lr ≈ 1. */
const L = (lr: number, i: number) =>
  2.3 - (1 + Math.tanh(1.5 * (Math.log10(lr) + 3))) + 2 * lr * lr + 0.08 * Math.sin(i * 12.9898);

async function runToStop(s: Json): Promise<Json> {
  let cur = s;
  while (cur.next) {
    const { iteration, lr } = cur.next;
    cur = (await client().report(s.id, { iteration, loss: L(lr, iteration) })).json;
  }
  return (await client().get(s.id)).json;
}

const byId = (els: XmlElement[], id: string) => els.find((e) => e.attrs.id === id);
const subtitleOf = (els: XmlElement[]) => els.find((e) => e.name === 'text' && e.attrs.y === '40')?.text ?? '';

describe('GET /v1/sweep-sessions/{id}/plot.svg', () => {
  it('409 while running; once stopped, the range-test view of the result, the plan in the subtitle', async () => {
    const s = await client().start({ num_iter: 100 });
    expect(s.links.plot).toBe(`/v1/sweep-sessions/${s.id}/plot.svg`);
    const early = await client().call('GET', s.links.plot);
    expectProblem(early, 409, 'not_finished');
    expect(early.json.detail).toContain(`/v1/sweep-sessions/${s.id}/stop`);

    const done = await runToStop(s);
    expect(done.stop_reason).toBe('diverged');
    const res = await t.app.inject({ method: 'GET', url: s.links.plot, headers: { authorization: `Bearer ${ALICE}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const els = parseXml(res.body);
    const r = done.result;
    const mark = byId(els, 'suggested-lr');
    expect(Number(mark?.attrs['data-lr'])).toBe(r.suggested_lr);
    expect(mark?.attrs['data-method']).toBe('minimum');
    const picks = els
      .filter((e) => e.attrs.class === 'method-marker')
      .map((e) => [e.attrs['data-method'], Number(e.attrs['data-lr'])]);
    const expected = Object.entries(r.suggestions as Record<string, Json>)
      .filter(([, p]) => p.lr !== null && p.lr > 0)
      .map(([m, p]) => [m, p.lr]);
    expect(picks).toEqual(expected);
    // one vertex per recorded point; the very curves a range-test job with this result draws
    const smooth = byId(els, 'smoothed-loss')!.attrs.d;
    expect((smooth.match(/[ML]/g) ?? []).length).toBe(r.iterations);
    const job = parseXml(renderRangeTestSvg(r as LrRangeTestResult, done.request as ResolvedRangeTest));
    expect(smooth).toBe(byId(job, 'smoothed-loss')!.attrs.d);
    expect(byId(els, 'raw-loss')!.attrs.d).toBe(byId(job, 'raw-loss')!.attrs.d);
    expect(subtitleOf(els)).toBe(`your training loop · LR 1e-7 → 10 (exp) · ${r.iterations} of 100 iterations`);
    expect(els.find((e) => e.name === 'title')?.text).toMatch(/^LR range test · stop_reason: diverged · suggested LR /);

    expect((await client().call('GET', s.links.plot, undefined, BOB)).res.statusCode).toBe(404);
    expectProblem(await client().call('GET', `/v1/sweep-sessions/${randomUUID()}/plot.svg`), 404, 'not_found');
  });

  it('a session stopped early plots its points so far; skipped steps and parameter groups are named', async () => {
    const param_groups = [
      { name: 'body', lr_mult: 0.1 },
      { name: 'head', lr_mult: 1 },
    ];
    const s = await client().start({ num_iter: 20, param_groups });
    await client().report(s.id, { iteration: 0, loss: 2.3 });
    await client().report(s.id, { iteration: 1, skipped: true });
    await client().report(s.id, {
      losses: [
        { iteration: 2, loss: 2.2 },
        { iteration: 3, loss: 2.1 },
      ],
    });
    expectProblem(await client().call('GET', s.links.plot), 409, 'not_finished');
    const stopped = (await client().stop(s.id)).json;
    expect(stopped.stop_reason).toBe('stopped_by_client');
    const res = await t.app.inject({ method: 'GET', url: s.links.plot, headers: { authorization: `Bearer ${ALICE}` } });
    expect(res.statusCode).toBe(200);
    const els = parseXml(res.body);
    expect(subtitleOf(els)).toBe(
      [
        'your training loop',
        'LR 1e-7 → 10 (exp)',
        '3 of 20 iterations',
        '1 skipped step',
        '2 param groups (each at LR × its lr_mult)',
      ].join(' · '),
    );
    expect((byId(els, 'raw-loss')!.attrs.d.match(/[ML]/g) ?? []).length).toBe(3);
  });
});
