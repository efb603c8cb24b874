/**
 * Parallel LR search sessions (pure): with parallelism 1, 2 and 4 and trials reported in shuffled
 * orders, the result is bit for bit the one of a session without parallelism (one trial at a time in
 * next); never more than N trials out; an expired lease's trial is handed out again and the first
 * report counts (a late one included); duplicates, unknown leases and bad parallelism are 4xx
 * problems naming the field; a session without parallelism answers exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../../src/contracts/problems.js';
import { loadConfig } from '../../../src/config.js';
import { activeLeases, grantLeases, type LeasedTrial } from '../../../src/sync/lr-search-sessions/leases.js';
import {
  applyReport,
  nextOf,
  resolveSearchSession,
  sessionResource,
  startSession,
  type SearchSessionDoc,
} from '../../../src/sync/lr-search-sessions/session.js';
import { BOWL, metricOf } from '../../lrfinder/search/landscape.js';

const limits = loadConfig({}).limits;
// noisy: near-ties between neighbours, so a result that depended on the report order would show it
const L = { ...BOWL, K: 300, noise: 0.01 };
const rtLoss = (lr: number): number => {
  const x = Math.log10(lr);
  return x < L.cliff - 1.3
    ? L.initial - (0.4 * (x + 7)) / (L.cliff + 5.7)
    : L.initial * (1 + 10 * (x - (L.cliff - 1.3)) ** 2);
};

function newDoc(body = {}): SearchSessionDoc {
  const request = resolveSearchSession({ train_steps: L.K, ...body }, limits);
  return { id: 'id', owner: 'o', created_at: 't', updated_at: 't', request, ...startSession(request) };
}

const problem = (fn: () => unknown): ProblemError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('expected a ProblemError');
};

/** a trial's report on the landscape, with the metric at its eval_at step counts */
function trialBody(t: { trial: string; lr: number; steps: number; eval_at: number[] }, lease?: string) {
  const metrics_at = t.eval_at.map((s) => ({ steps: s, metric: metricOf(L, t.lr, s) }));
  return {
    trial: t.trial,
    metric: metricOf(L, t.lr, t.steps),
    ...(metrics_at.length ? { metrics_at } : {}),
    ...(lease ? { lease } : {}),
  };
}

function rangeTest(doc: SearchSessionDoc, now: Date): SearchSessionDoc {
  for (let n = nextOf(doc, now); n?.type === 'sweep'; n = nextOf(doc, now)) {
    doc = applyReport(doc, { iteration: n.iteration, loss: rtLoss(n.lr) }, now);
  }
  return doc;
}

/** the session without parallelism: one trial at a time, as next says */
function sequential(body = {}): SearchSessionDoc {
  const now = new Date(0);
  let doc = rangeTest(newDoc(body), now);
  for (let n = nextOf(doc, now); n; n = nextOf(doc, now)) {
    if (n.type !== 'trial') throw new Error(`unexpected next ${n.type}`);
    doc = applyReport(doc, trialBody(n), now);
  }
  return doc;
}

/** a seeded generator (mulberry32) for the report orders */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * N clients: lease what is available, then report a random one of the trials out (so reports of a
 * rung interleave with new leases), until done. Returns the doc and the most trials ever out at once.
 */
function parallel(N: number, seed: number, body = {}): { doc: SearchSessionDoc; maxOut: number } {
  const now = new Date(0);
  const rand = rng(seed);
  let doc = rangeTest(newDoc({ ...body, parallelism: N }), now);
  let out: LeasedTrial[] = [];
  let maxOut = 0;
  let ids = 0;
  for (let guard = 0; guard < 10_000 && doc.result === null; guard++) {
    const g = grantLeases(doc, 1 + Math.floor(rand() * N), now, () => `lease-${ids++}`);
    doc = g.doc;
    out = [...out, ...g.granted];
    maxOut = Math.max(maxOut, out.length);
    expect(activeLeases(doc, now)).toHaveLength(out.length);
    const i = Math.floor(rand() * out.length);
    const t = out[i];
    out = out.filter((_, j) => j !== i);
    doc = applyReport(doc, trialBody(t, t.lease), now);
  }
  return { doc, maxOut };
}

describe('parallel LR search sessions', () => {
  for (const body of [{}, { range_test: false, end_lr: 1 }]) {
    it(`give the same result whatever the parallelism and the report order ${JSON.stringify(body)}`, () => {
      const want = sequential(body);
      expect(want.result).not.toBeNull();
      const text = JSON.stringify(want.result);
      for (const N of [1, 2, 4]) {
        for (const seed of [1, 2, 3, 4, 5]) {
          const { doc, maxOut } = parallel(N, seed * 7919 + N, body);
          expect(JSON.stringify(doc.result), `N=${N} seed=${seed}`).toBe(text);
          expect(doc.search.cost).toEqual(want.search.cost);
          expect(maxOut).toBeLessThanOrEqual(N);
          if (N > 1) expect(maxOut).toBeGreaterThan(1);
        }
      }
    });
  }

  it("hands an expired lease's trial out again; the first report counts, a late one included", () => {
    const t0 = new Date(0);
    let doc = rangeTest(newDoc({ parallelism: 2, lease_seconds: 60 }), t0);
    expect(doc.request).toMatchObject({ parallelism: 2, lease_seconds: 60 });
    expect(nextOf(doc, t0)).toEqual({ type: 'leases', available: 2, leased: 0 });
    const first = grantLeases(doc, 1, t0, () => 'A');
    doc = first.doc;
    const a = first.granted[0];
    expect(a).toMatchObject({
      type: 'trial',
      trial: doc.search.pending[0].id,
      lease: 'A',
      lease_expires_at: new Date(60_000).toISOString(),
    });
    // while A holds it, the trial is not handed out again
    const b = grantLeases(
      doc,
      5,
      new Date(59_999),
      (() => {
        let i = 0;
        return () => `B${i++}`;
      })(),
    );
    expect(b.granted.map((g) => g.trial)).not.toContain(a.trial);
    expect(b.granted).toHaveLength(1);
    // once A expired, it is handed out again (to C), at most 2 out at once
    const t1 = new Date(60_000);
    const c = grantLeases(b.doc, 5, t1, () => 'C');
    expect(c.granted.map((g) => [g.trial, g.lease])).toEqual([[a.trial, 'C']]);
    expect(grantLeases(c.doc, 5, t1, () => 'D').granted).toEqual([]);
    expect(nextOf(c.doc, t1)).toEqual({ type: 'leases', available: 0, leased: 2 });

    // A (expired) reports first: it counts; C's report is then a duplicate; A again is harmless
    const late = applyReport(c.doc, trialBody(a, 'A'), t1);
    expect(late.reported[a.trial]).toBe(metricOf(L, a.lr, a.steps));
    const dup = problem(() => applyReport(late, trialBody(a, 'C'), t1));
    expect(dup).toMatchObject({ status: 409, code: 'already_reported' });
    expect(applyReport(late, trialBody(a, 'A'), t1)).toBe(late);
    expect(problem(() => applyReport(late, { ...trialBody(a, 'A'), metric: 9 }, t1)).code).toBe('metric_conflict');

    // the other way round: C reports first; A's late report is then a 409 naming the expired lease
    const onTime = applyReport(c.doc, trialBody(a, 'C'), t1);
    const p = problem(() => applyReport(onTime, trialBody(a, 'A'), t1));
    expect(p).toMatchObject({ status: 409, code: 'lease_expired' });
    expect(p.errors[0].pointer).toBe('/lease');
    expect(onTime.search).toEqual(late.search);
  });

  it('refuses unknown leases, reports without one, and leases on a session without parallelism', () => {
    const now = new Date(0);
    let doc = rangeTest(newDoc({ parallelism: 3 }), now);
    const g = grantLeases(
      doc,
      2,
      now,
      (() => {
        let i = 0;
        return () => `L${i++}`;
      })(),
    );
    doc = g.doc;
    const [x, y] = g.granted;
    const unknown = problem(() => applyReport(doc, trialBody(x, 'nope'), now));
    expect(unknown).toMatchObject({ status: 409, code: 'unknown_lease' });
    expect(problem(() => applyReport(doc, trialBody(x, y.lease), now)).code).toBe('unknown_lease');
    expect(problem(() => applyReport(doc, trialBody(x), now))).toMatchObject({ status: 400 });
    expect(problem(() => applyReport(doc, trialBody(x), now)).errors[0].pointer).toBe('/lease');
    // y before x: any order
    doc = applyReport(doc, trialBody(y, y.lease), now);
    doc = applyReport(doc, trialBody(x, x.lease), now);
    expect(Object.keys(doc.reported).sort()).toEqual([x.trial, y.trial].sort());

    const legacy = rangeTest(newDoc(), now);
    expect(problem(() => grantLeases(legacy, 1, now, () => 'L'))).toMatchObject({ status: 409, code: 'not_parallel' });
    const n = nextOf(legacy, now) as LeasedTrial;
    expect(problem(() => applyReport(legacy, trialBody(n, 'L'), now)).errors[0].pointer).toBe('/lease');
    // during the range test nothing is handed out
    const early = newDoc({ parallelism: 2 });
    expect(grantLeases(early, undefined, now, () => 'L')).toEqual({ doc: early, granted: [] });
  });

  it('bad parallelism and lease_seconds are 400s naming the field and the limit', () => {
    const small = loadConfig({ LIMIT_SEARCH_PARALLELISM: '8', LIMIT_SEARCH_LEASE_S: '600' }).limits;
    const p = problem(() => resolveSearchSession({ parallelism: 9 }, small));
    expect(p).toMatchObject({ status: 400, code: 'limit_exceeded' });
    expect(p.errors[0].pointer).toBe('/parallelism');
    expect(p.errors[0].detail).toContain('LIMIT_SEARCH_PARALLELISM');
    const long = problem(() => resolveSearchSession({ parallelism: 2, lease_seconds: 601 }, small));
    expect(long.errors[0]).toMatchObject({ pointer: '/lease_seconds' });
    expect(long.errors[0].detail).toContain('LIMIT_SEARCH_LEASE_S');
    // the default lease is an hour, or the limit when that is lower
    expect(resolveSearchSession({ parallelism: 8 }, small)).toMatchObject({ parallelism: 8, lease_seconds: 600 });
    expect(resolveSearchSession({ parallelism: 8 }, limits)).toMatchObject({ lease_seconds: 3600 });
  });

  it('a session without parallelism answers as before: no lease fields anywhere', () => {
    const doc = sequential();
    const r = sessionResource(doc);
    expect(Object.keys(r)).toEqual([
      'id',
      'status',
      'created_at',
      'updated_at',
      'request',
      'next',
      'range_test_iterations',
      'trials_reported',
      'cost_steps',
      'result',
      'links',
    ]);
    expect(Object.keys(r.request)).not.toContain('parallelism');
    expect(Object.keys(r.links)).toEqual(['self', 'reports', 'plot']);
    expect(Object.keys(doc)).not.toContain('leases');
  });
});
