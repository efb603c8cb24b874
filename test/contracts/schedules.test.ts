/** A schedule error as a problem. */
import { describe, expect, it } from 'vitest';
import { scheduleProblem } from '../../src/contracts/schedules.js';
import { ScheduleError } from '../../src/core/schedules/index.js';

describe('scheduleProblem', () => {
  it('keeps pointers outside the schedule (/steps) and omits the exception name for our own limits', () => {
    const p = scheduleProblem(
      new ScheduleError('/steps', 'Tried to step 6 times. The specified number of total steps is 5'),
      '/schedules/0',
    );
    expect(p.errors[0].pointer).toBe('/steps');
    expect(p.message).toBe('/steps: ValueError: Tried to step 6 times. The specified number of total steps is 5');
    const l = scheduleProblem(
      new ScheduleError(
        '/schedule',
        'the learning rate is not finite at step 3 (inf); JSON cannot carry it',
        'LimitError',
      ),
    );
    expect(l.message).toBe('/schedule: the learning rate is not finite at step 3 (inf); JSON cannot carry it');
    expect(l.status).toBe(400);
  });
});
