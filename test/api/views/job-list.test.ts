/** List items and cursors of GET /v1/{kind}. */
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, LIST_REQUEST_MAX_BYTES, listItem } from '../../../src/api/views/job-list.js';
import { findKind } from '../../../src/kinds/registry.js';
import { ProblemError } from '../../../src/contracts/problems.js';

describe('cursor', () => {
  it('round-trips creation time and id, opaque and URL-safe', () => {
    const c = { at: 1764184000123, id: '3b241101-e2bb-4255-8caf-4136c566a962' };
    const s = encodeCursor(c);
    expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(s)).toEqual(c);
  });
  it('a forged or garbled cursor is a 400 naming /querystring/cursor', () => {
    for (const bad of [
      '',
      'bm9wZQ',
      Buffer.from('12.not-a-uuid').toString('base64url'),
      Buffer.from('-1.3b241101-e2bb-4255-8caf-4136c566a962').toString('base64url'),
    ]) {
      let err: unknown;
      try {
        decodeCursor(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProblemError);
      expect((err as ProblemError).errors[0].pointer).toBe('/querystring/cursor');
    }
  });
});

describe('listItem', () => {
  const resource = {
    id: 'x',
    kind: 'lr-range-tests',
    status: 'succeeded',
    progress: null,
    created_at: '',
    started_at: null,
    finished_at: null,
    request: { preset: 'spirals-mlp' },
    error: null,
    links: { self: '/v1/lr-range-tests/x' },
    result: {
      lrs: [1],
      losses: [1],
      suggested_lr: 0.01,
      suggestion: { method: 'valley', lr: 0.01, index: 3 },
      stop_reason: 'diverged',
      iterations: 40,
      best_lr: 0.1,
    },
  };
  const summarize = (result: unknown) => findKind('lr-range-tests')!.summary.of(result);
  it('drops the result and keeps its headline (the summary stored beside it)', () => {
    const item = listItem(resource, summarize(resource.result));
    expect(item).not.toHaveProperty('result');
    expect(item.summary).toEqual({
      suggested_lr: 0.01,
      suggestion_method: 'valley',
      stop_reason: 'diverged',
      iterations: 40,
      best_lr: 0.1,
    });
    expect(item.request).toEqual({ preset: 'spirals-mlp' });
    expect(item.links.self).toBe('/v1/lr-range-tests/x');
  });
  it('replaces an oversized request (inline data) by null', () => {
    const big = { data: { x: Array.from({ length: LIST_REQUEST_MAX_BYTES }, () => [1]) } };
    expect(listItem({ ...resource, request: big }, summarize(resource.result)).request).toBeNull();
  });
  it('no result (not finished), no summary', () => {
    expect(listItem({ ...resource, result: null }, null).summary).toBeNull();
  });
  it('each kind sums up its own result: a schedule simulation names its best schedule, diagnostics its verdict', () => {
    expect(findKind('schedule-simulations')!.summary.of({ schedules: [], ranking: ['cosine', 'step'] })).toEqual({
      best_schedule: 'cosine',
    });
    expect(findKind('diagnostics')!.summary.of({ checks: [], verdict: 'fail', overfit: null })).toEqual({
      verdict: 'fail',
    });
  });
});
