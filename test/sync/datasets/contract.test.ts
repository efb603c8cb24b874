/** Upload parsing and the `{dataset_id}` branch of request resolution (pure). */
import { describe, expect, it } from 'vitest';
import { checkUpload, parseCsv } from '../../../src/sync/datasets/contract.js';
import { dataShape, type UploadShape } from '../../../src/contracts/resolve.js';
import { resolveRangeTest } from '../../../src/kinds/lr-range-tests/resolve.js';
import { resolveDiagnostics } from '../../../src/kinds/diagnostics/resolve.js';
import { problem, resolveContext } from '../../helpers/resolve.js';

describe('parseCsv', () => {
  it('takes the target column out wherever it is; the features keep their order', () => {
    expect(parseCsv('"a", label ,b\n0.5,1,2\n-1e-3,0,3.25\n', 'label')).toEqual({ x: [[0.5, 2], [-0.001, 3.25]], y: [1, 0] });
    expect(parseCsv('a,b,t\n1,2,3\n4,5,6\n\n', undefined)).toEqual({ x: [[1, 2], [4, 5]], y: [3, 6] });
  });

  it('points at the cell as x/y see it (columns after the target shift left)', () => {
    expect(problem(() => parseCsv('a,t,b\n1,0,2\n1,1,x\n', 't')).errors[0].pointer).toBe('/x/1/1');
    expect(problem(() => parseCsv('a,t,b\n1,0,2\n1,Infinity,2\n', 't')).errors[0].pointer).toBe('/y/1');
    expect(problem(() => parseCsv('a,t\n1,0\n', undefined)).errors[0].pointer).toBe('/');
  });
});

describe('checkUpload', () => {
  it('classes = max label + 1, as inline data; regression has 1 output', () => {
    const limits = resolveContext().limits;
    expect(checkUpload({ task: 'classification', x: [[1], [2], [3]], y: [0, 3, 1] }, limits)).toEqual({ task: 'classification', rows: 3, features: 1, classes: 4 });
    expect(checkUpload({ task: 'regression', x: [[1, 2], [2, 3]], y: [0.5, 7] }, limits)).toEqual({ task: 'regression', rows: 2, features: 2, outputs: 1 });
    expect(problem(() => checkUpload({ task: 'classification', x: [[1], [2]], y: [0, -1] }, limits)).errors[0].pointer).toBe('/y/1');
  });
});

describe('data: {dataset_id}', () => {
  const shape: UploadShape = { task: 'classification', rows: 50, features: 3, classes: 4 };
  const ctx = { ...resolveContext(), datasets: new Map([['ds1', shape]]) };

  it('resolves to the stored shape; the echo re-resolves to itself', () => {
    const r = resolveRangeTest({ model: { hidden: [8] }, data: { dataset_id: 'ds1', val_fraction: 0.1 } }, ctx);
    expect(r.data).toEqual({ dataset_id: 'ds1', val_fraction: 0.1, standardize: true, task: 'classification', rows: 50, features: 3, classes: 4 });
    expect(dataShape(r.data)).toEqual({ features: 3, task: 'classification', outputs: 4 });
    expect(r.loss).toEqual({ name: 'cross_entropy' });
    const echo = JSON.parse(JSON.stringify(r));
    expect(resolveRangeTest(echo, ctx)).toEqual(echo);
  });

  it('an id not in the caller\'s datasets is a 400 at /data/dataset_id; limits apply to the stored shape', () => {
    expect(problem(() => resolveRangeTest({ model: { hidden: [8] }, data: { dataset_id: 'other' } }, ctx)).errors[0].pointer).toBe('/data/dataset_id');
    const small = { ...resolveContext({ LIMIT_DATASET_VALUES: '100' }), datasets: ctx.datasets };
    expect(problem(() => resolveRangeTest({ model: { hidden: [8] }, data: { dataset_id: 'ds1' } }, small)).code).toBe('limit_exceeded');
    expect(problem(() => resolveRangeTest({ model: { hidden: [8] }, data: { dataset_id: 'ds1', classes: 3 } }, ctx)).errors[0].pointer).toBe('/data/classes');
  });

  it('diagnostics count the training rows from the stored shape', () => {
    expect(problem(() => resolveDiagnostics({ model: { hidden: [8] }, data: { dataset_id: 'ds1', val_fraction: 0.9 }, tiny_batch: 8 }, ctx)).errors[0].pointer).toBe('/tiny_batch');
  });
});
