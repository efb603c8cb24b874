/**
 * The work of simulating a schedule on the API's event loop is bounded (LIMIT_SCHEDULE_WORK:
 * steps × schedulers in the tree): the preview and the admission of a schedule simulation or an LR search answer
 * 400 limit_exceeded naming the limit past it, before simulating anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleNodes } from '../../src/contracts/schedule-work.js';
import { appWithoutRedis } from '../helpers/app.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis({
    LIMIT_SCHEDULE_STEPS: '100000',
    LIMIT_SCHEDULE_WORK: '50000',
    LIMIT_SIMULATION_STEPS: '100000',
  });
});
afterAll(async () => {
  await t.close();
});

/** a SequentialLR of `n` StepLR children (n + 1 schedulers) */
const wide = (n: number) => ({
  type: 'SequentialLR',
  lr: 0.1,
  milestones: Array.from({ length: n - 1 }, (_, i) => (i + 1) * 10),
  schedulers: Array.from({ length: n }, () => ({ type: 'StepLR', step_size: 5 })),
});

describe('LIMIT_SCHEDULE_WORK', () => {
  it('counts the schedulers of a tree without recursion', () => {
    expect(scheduleNodes({ type: 'StepLR', lr: 0.1, step_size: 3 })).toBe(1);
    expect(scheduleNodes(wide(4))).toBe(5);
    let deep: Record<string, unknown> = { type: 'ConstantLR' };
    for (let i = 0; i < 50_000; i++) deep = { type: 'SequentialLR', milestones: [], schedulers: [deep] };
    expect(scheduleNodes(deep)).toBe(50_001);
  });

  it('preview: steps × schedulers past the limit is a 400 naming it; within it, 200', async () => {
    const over = await t.app.inject({
      method: 'POST',
      url: '/v1/schedules/preview',
      payload: { schedule: wide(20), steps: 5000 },
    });
    expect(over.statusCode).toBe(400);
    const j = over.json();
    expect(j).toMatchObject({ code: 'limit_exceeded', errors: [{ pointer: '/schedule' }] });
    expect(j.detail).toContain('LIMIT_SCHEDULE_WORK');
    expect(j.detail).toContain('5000 × 21');
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/schedules/preview',
      payload: { schedule: wide(20), steps: 2000 },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().lrs).toHaveLength(2000);
  });

  it("schedule simulation admission: the schedules' work together past the limit is a 400 naming it, nothing queued", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/schedule-simulations',
      payload: {
        steps: 2000,
        schedules: [
          { name: 'a', schedule: wide(12) },
          { name: 'b', schedule: wide(12) },
        ],
        train: { model: { hidden: [4] } },
      },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'limit_exceeded', errors: [{ pointer: '/schedules/1/schedule' }] });
    expect(res.json().detail).toContain('LIMIT_SCHEDULE_WORK');
  });

  it('LR search admission: its schedule over train_steps past the limit is a 400 naming it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/lr-searches',
      payload: { train_steps: 5000, schedule: wide(20) },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'limit_exceeded', errors: [{ pointer: '/schedule' }] });
    expect(res.json().detail).toContain('LIMIT_SCHEDULE_WORK');
  });
});
