/** A schedule error as a problem, and the preview's downsampling. */
import { describe, expect, it } from 'vitest';
import { downsampleIndex } from '../../src/api/routes/schedules.js';
import { scheduleProblem } from '../../src/contracts/schedules.js';
import { ScheduleError } from '../../src/core/schedules/index.js';

describe('scheduleProblem', () => {
  it('keeps pointers outside the schedule (/steps) and omits the exception name for our own limits', () => {
    const p = scheduleProblem(new ScheduleError('/steps', 'Tried to step 6 times. The specified number of total steps is 5'), '/schedules/0');
    expect(p.errors[0].pointer).toBe('/steps');
    expect(p.message).toBe('/steps: ValueError: Tried to step 6 times. The specified number of total steps is 5');
    const l = scheduleProblem(new ScheduleError('/schedule', 'the learning rate is not finite at step 3 (inf); JSON cannot carry it', 'LimitError'));
    expect(l.message).toBe('/schedule: the learning rate is not finite at step 3 (inf); JSON cannot carry it');
    expect(l.status).toBe(400);
  });
});

describe('downsampleIndex', () => {
  it('evenly spaced, first and last always kept, strictly increasing', () => {
    for (const [steps, points] of [[10, 2], [10, 3], [101, 5], [1000, 7], [100_000, 2000], [2001, 2000], [5, 5], [3, 10], [1, 2]]) {
      const idx = downsampleIndex(steps, points);
      expect(idx).toHaveLength(Math.min(steps, points));
      expect(idx[0]).toBe(0);
      expect(idx.at(-1)).toBe(steps - 1);
      idx.forEach((x, i) => { if (i > 0) expect(x).toBeGreaterThan(idx[i - 1]); });
    }
    expect(downsampleIndex(101, 5)).toEqual([0, 25, 50, 75, 100]);
  });
});
