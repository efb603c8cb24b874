/** Upload parsing and the `{dataset_id}` branch of request resolution (pure). */
import { describe, expect, it } from 'vitest';
import { checkUpload, parseCsv } from '../../../src/sync/datasets/contract.js';
import { dataShape, trainingParams, type UploadShape } from '../../../src/contracts/resolve.js';
import { resolveRangeTest } from '../../../src/kinds/lr-range-tests/resolve.js';
import { resolveDiagnostics } from '../../../src/kinds/diagnostics/resolve.js';
import { problem, resolveContext } from '../../helpers/resolve.js';

describe('parseCsv', () => {
  it('takes the target column out wherever it is; the features keep their order', () => {
    expect(parseCsv('"a", label ,b\n0.5,1,2\n-1e-3,0,3.25\n', 'label')).toEqual({
      x: [
        [0.5, 2],
        [-0.001, 3.25],
      ],
      y: [1, 0],
    });
    expect(parseCsv('a,b,t\n1,2,3\n4,5,6\n\n', undefined)).toEqual({
      x: [
        [1, 2],
        [4, 5],
      ],
      y: [3, 6],
    });
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
    expect(checkUpload({ task: 'classification', x: [[1], [2], [3]], y: [0, 3, 1] }, limits)).toEqual({
      task: 'classification',
      rows: 3,
      features: 1,
      classes: 4,
    });
    expect(
      checkUpload(
        {
          task: 'regression',
          x: [
            [1, 2],
            [2, 3],
          ],
          y: [0.5, 7],
        },
        limits,
      ),
    ).toEqual({ task: 'regression', rows: 2, features: 2, outputs: 1 });
    expect(
      problem(() => checkUpload({ task: 'classification', x: [[1], [2]], y: [0, -1] }, limits)).errors[0].pointer,
    ).toBe('/y/1');
  });
});

describe('data: {dataset_id}', () => {
  const shape: UploadShape = { task: 'classification', rows: 50, features: 3, classes: 4 };
  const ctx = { ...resolveContext(), datasets: new Map([['ds1', shape]]) };

  it('resolves to the stored shape; the echo re-resolves to itself', () => {
    const r = resolveRangeTest({ model: { hidden: [8] }, data: { dataset_id: 'ds1', val_fraction: 0.1 } }, ctx);
    expect(r.data).toEqual({
      dataset_id: 'ds1',
      val_fraction: 0.1,
      standardize: true,
      task: 'classification',
      rows: 50,
      features: 3,
      classes: 4,
    });
    expect(dataShape(r.data)).toEqual({ features: 3, task: 'classification', outputs: 4 });
    expect(r.loss).toEqual({ name: 'cross_entropy' });
    const echo = JSON.parse(JSON.stringify(r));
    expect(resolveRangeTest(echo, ctx)).toEqual(echo);
  });

  it("an id not in the caller's datasets is a 400 at /data/dataset_id; limits apply to the stored shape", () => {
    expect(
      problem(() => resolveRangeTest({ model: { hidden: [8] }, data: { dataset_id: 'other' } }, ctx)).errors[0].pointer,
    ).toBe('/data/dataset_id');
    const small = { ...resolveContext({ LIMIT_DATASET_VALUES: '100' }), datasets: ctx.datasets };
    expect(problem(() => resolveRangeTest({ model: { hidden: [8] }, data: { dataset_id: 'ds1' } }, small)).code).toBe(
      'limit_exceeded',
    );
    expect(
      problem(() => resolveRangeTest({ model: { hidden: [8] }, data: { dataset_id: 'ds1', classes: 3 } }, ctx))
        .errors[0].pointer,
    ).toBe('/data/classes');
  });

  it('diagnostics count the training rows from the stored shape', () => {
    expect(
      problem(() =>
        resolveDiagnostics(
          { model: { hidden: [8] }, data: { dataset_id: 'ds1', val_fraction: 0.9 }, tiny_batch: 8 },
          ctx,
        ),
      ).errors[0].pointer,
    ).toBe('/tiny_batch');
  });
});

describe("an upload's image shape", () => {
  const limits = resolveContext().limits;
  const x = Array.from({ length: 4 }, (_, r) => Array.from({ length: 2 * 3 * 3 }, (_, j) => r + j / 10));
  const conv = { type: 'conv2d', out_channels: 4, kernel_size: 2 } as const;

  it('is stored when its product is the features; otherwise a 400 at /shape', () => {
    expect(checkUpload({ task: 'classification', x, y: [0, 1, 0, 1], shape: [2, 3, 3] }, limits)).toEqual({
      task: 'classification',
      rows: 4,
      features: 18,
      classes: 2,
      shape: [2, 3, 3],
    });
    const p = problem(() => checkUpload({ task: 'classification', x, y: [0, 1, 0, 1], shape: [2, 3, 4] }, limits));
    expect(p.errors[0]).toEqual({
      pointer: '/shape',
      detail: expect.stringMatching(/24 values per row; the rows have 18 features/),
    });
  });

  it('reaches the job: conv reads [C, H, W]; the echo re-resolves; a kernel too large is a 400 at the layer', () => {
    const shape: UploadShape = { task: 'classification', rows: 4, features: 18, classes: 2, shape: [2, 3, 3] };
    const ctx = { ...resolveContext(), datasets: new Map([['img', shape]]) };
    const body = { model: { layers: [conv, { type: 'flatten' as const }] }, data: { dataset_id: 'img' } };
    const r = resolveRangeTest(body, ctx);
    expect(dataShape(r.data)).toEqual({ features: 18, task: 'classification', outputs: 2, shape: [2, 3, 3] });
    // conv 2→4, 2×2: 4·2·4 + 4 = 36, then dense 16 → 2: 34
    expect(trainingParams(r, ctx)).toBe(36 + 34);
    expect(resolveRangeTest(JSON.parse(JSON.stringify(r)), ctx).data).toEqual(r.data);
    const bigKernel = { layers: [{ ...conv, kernel_size: 4 }, { type: 'flatten' as const }] };
    const big = problem(() => resolveRangeTest({ ...body, model: bigKernel }, ctx));
    expect(big.status).toBe(400);
    expect(big.errors[0]).toEqual({
      pointer: '/model/layers/0',
      detail: expect.stringMatching(/kernel's height 4 is larger/),
    });
    const noFlatten = problem(() => resolveRangeTest({ ...body, model: { layers: [conv] } }, ctx));
    expect(noFlatten.errors[0]).toEqual({
      pointer: '/model/layers',
      detail: expect.stringMatching(/output layer: dense .* add a flatten/),
    });
    // without a shape the same conv net is a 400 naming the layer
    const flat = { ...ctx, datasets: new Map([['img', { ...shape, shape: undefined }]]) };
    expect(problem(() => resolveRangeTest(body, flat)).errors[0].pointer).toBe('/model/layers/0');
  });
});
