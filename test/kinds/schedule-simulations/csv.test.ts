/** curve.csv of a schedule simulation: one block of rows per schedule, names quoted and formula-neutralised. */
import { describe, expect, it } from 'vitest';
import type { ScheduleSimulationResult } from '../../../src/kinds/schedule-simulations/contract.js';
import { renderScheduleCsv as render } from '../../../src/kinds/schedule-simulations/csv.js';
import { readCsv } from '../../helpers/csv.js';

/** The table of a result that has only the fields a test looks at. */
const renderScheduleCsv = (result: object) => render(result as ScheduleSimulationResult);

describe('renderScheduleCsv', () => {
  it('one row per schedule step; names quoted and formula-neutralised', () => {
    const csv = renderScheduleCsv({
      schedules: [
        { name: 'cosine, warm', lrs: [0.1, 0.05], losses: [2, 1.5] },
        { name: '=HYPERLINK("x")', lrs: [0.1] },
      ],
    });
    const rows = readCsv(csv);
    expect(rows).toEqual([
      ['schedule', 'step', 'lr', 'loss'],
      ['cosine, warm', '0', '0.1', '2'],
      ['cosine, warm', '1', '0.05', '1.5'],
      ['\'=HYPERLINK("x")', '0', '0.1', ''],
    ]);
  });
});
