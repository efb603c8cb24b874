/**
 * The hand-back rule on shutdown (workers/handback.ts): a job whose rate so far says it cannot
 * finish within the stop grace is handed back at once; one that will finish is left alone; one
 * with no progress yet is handed back when the grace ends; jobs starting after the stop are judged too.
 */
import { describe, expect, it } from 'vitest';
import { HANDBACK, Handback } from '../../workers/handback.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Handback', () => {
  it('hands back at once a job that cannot finish within the grace', async () => {
    const h = new Handback();
    const c = new AbortController();
    h.track('slow', c);
    h.progress('slow', { iteration: 1, total: 1_000_000 });
    await sleep(20);
    h.progress('slow', { iteration: 2, total: 1_000_000 }); // ≥ 20 ms a step: hours to go
    h.stop(60_000);
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBe(HANDBACK);
    expect(Handback.handedBack(c.signal)).toBe(true);
  });

  it('lets a job that will finish within the grace run; hands back one without progress when the grace ends', async () => {
    const h = new Handback();
    const nearlyDone = new AbortController();
    const noRate = new AbortController();
    h.track('done-soon', nearlyDone);
    h.track('no-rate', noRate);
    h.progress('done-soon', { iteration: 1, total: 1_000_000 });
    h.progress('done-soon', { iteration: 999_999, total: 1_000_000 });
    h.progress('no-rate', { iteration: 5, total: 1_000_000 }); // one point: no rate yet
    h.stop(300);
    expect(nearlyDone.signal.aborted).toBe(false);
    expect(noRate.signal.aborted).toBe(false);
    h.untrack('done-soon'); // finished
    await sleep(600);
    expect(nearlyDone.signal.aborted).toBe(false);
    expect(Handback.handedBack(noRate.signal)).toBe(true);
  });

  it('a cancel is not a hand-back; a job tracked after the grace ended is handed back at once', async () => {
    const canceled = new AbortController();
    canceled.abort('canceled by request');
    expect(Handback.handedBack(canceled.signal)).toBe(false);
    const h = new Handback();
    h.stop(0);
    const late = new AbortController();
    h.track('late', late);
    expect(Handback.handedBack(late.signal)).toBe(true);
  });
});
