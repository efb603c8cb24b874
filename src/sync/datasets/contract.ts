/**
 * POST /v1/datasets: upload a dataset once (JSON `{name?, task, x, y}` or CSV with a header row)
 * and use it by id (`data: {dataset_id}`). Validation is the inline data's (resolveData): equal
 * row widths, y as long as x, class labels integers in [0, 999], at least 2 classes, rows ×
 * features ≤ LIMIT_DATASET_VALUES; CSV cells must be finite numbers. A JSON upload may declare each
 * row's `shape` [channels, height, width] (product = features): image layers (conv2d, pooling) then
 * read the rows as images (see modelInput in src/core/model.ts).
 */
import Type from 'typebox';
import type { Limits } from '../../config.js';
import { StringEnum } from '../../contracts/common.js';
import { invalid, ProblemError } from '../../contracts/problems.js';
import { resolveData, type UploadShape } from '../../contracts/resolve.js';
import { maxOf } from '../../core/extent.js';

const Task = StringEnum(['classification', 'regression'] as const);
/** One row's [channels, height, width] (torch's per-sample image shape, e.g. MNIST's [1, 28, 28]). */
const ImageShape = Type.Array(Type.Integer({ minimum: 1 }), {
  minItems: 3,
  maxItems: 3,
  description: 'each row as an image [channels, height, width], row-major (NCHW); the product must equal the features',
});
const Name = Type.String({ minLength: 1, maxLength: 200, description: 'a label for you; not unique' });

export const DatasetUploadRequest = Type.Object(
  {
    name: Type.Optional(Name),
    task: Task,
    x: Type.Array(Type.Array(Type.Number(), { minItems: 1, maxItems: 4096 }), {
      minItems: 2,
      maxItems: 1_000_000,
      description: 'rows of features',
    }),
    y: Type.Array(Type.Number(), {
      minItems: 2,
      maxItems: 1_000_000,
      description: 'class index (classification) or target (regression), one per row',
    }),
    shape: Type.Optional(ImageShape),
  },
  { $id: 'DatasetUploadRequest', additionalProperties: false },
);

export const DatasetUploadQuery = Type.Object(
  {
    task: Type.Optional(Task),
    target: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'CSV: the target column (default: the last column)' }),
    ),
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);

export const UploadedDataset = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    task: Task,
    rows: Type.Integer(),
    features: Type.Integer(),
    classes: Type.Optional(Type.Integer({ description: "classification: max label + 1 (the model's outputs)" })),
    outputs: Type.Optional(Type.Integer({ description: 'regression: targets per row' })),
    shape: Type.Optional(ImageShape),
    created_at: Type.String({ format: 'date-time' }),
    expires_at: Type.String({ format: 'date-time', description: 'RESULT_TTL_S after the upload' }),
  },
  { $id: 'UploadedDataset', additionalProperties: false },
);

export interface UploadBody {
  name?: string;
  task: 'classification' | 'regression';
  x: number[][];
  y: number[];
  shape?: number[];
}

/** The inline data checks, with pointers at the upload's top level (/x/3, /y/7). */
export function checkUpload(body: UploadBody, limits: Limits): UploadShape {
  try {
    resolveData({ x: body.x, y: body.y, task: body.task }, 0, limits);
  } catch (e) {
    if (!(e instanceof ProblemError)) throw e;
    const strip = (p: string) => p.replace(/^\/data/, '');
    throw new ProblemError(
      e.status,
      e.code,
      e.title,
      strip(e.message),
      e.errors.map((f) => ({ pointer: strip(f.pointer), detail: f.detail })),
      e.headers,
    );
  }
  const rows = body.x.length;
  const features = body.x[0].length;
  if (body.shape && body.shape.reduce((a, b) => a * b, 1) !== features) {
    throw invalid(
      '/shape',
      `[${body.shape.join(', ')}] holds ${body.shape.reduce((a, b) => a * b, 1)} values per row; ` +
        `the rows have ${features} features`,
    );
  }
  const shape = body.shape ? { shape: body.shape } : {};
  return body.task === 'classification'
    ? { task: body.task, rows, features, classes: maxOf(body.y) + 1, ...shape }
    : { task: body.task, rows, features, outputs: 1, ...shape };
}

/** Splits one CSV line on commas; a cell may be "double quoted" (no embedded quotes or commas). */
function cells(line: string): string[] {
  return line.split(',').map((c) => {
    const t = c.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

/**
 * CSV text → `{x, y}`: a header row, then one row per sample, every cell a finite number. The
 * target is the column named `target` (default: the last one); the others are the features, in order.
 * Data row i (CSV line i + 2) is x[i] / y[i], and errors point there.
 */
export function parseCsv(text: string, target: string | undefined): { x: number[][]; y: number[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length < 3) throw invalid('/', 'a CSV upload needs a header row and at least 2 data rows');
  const header = cells(lines[0]);
  if (header.length < 2)
    throw invalid(
      '/',
      `the header row has ${header.length} column; a CSV upload needs at least one feature and the target`,
    );
  const t = target === undefined ? header.length - 1 : header.indexOf(target);
  if (t < 0) throw invalid('/querystring/target', `no column '${target}' in the header (${header.join(', ')})`);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const r = i - 1;
    const row = cells(lines[i]);
    if (row.length !== header.length)
      throw invalid(`/x/${r}`, `CSV line ${i + 1} has ${row.length} cells; the header has ${header.length}`);
    const values = row.map((c, j) => {
      const v = c === '' ? NaN : Number(c);
      if (!Number.isFinite(v)) {
        throw invalid(
          j === t ? `/y/${r}` : `/x/${r}/${j < t ? j : j - 1}`,
          `CSV line ${i + 1}, column '${header[j]}': ${JSON.stringify(c)} is not a finite number`,
        );
      }
      return v;
    });
    y.push(values[t]);
    values.splice(t, 1);
    x.push(values);
  }
  return { x, y };
}
