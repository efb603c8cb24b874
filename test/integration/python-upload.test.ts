/** clients/python/lrfinder/client.py upload_dataset(): upload rows from Python, run a range test on them by id. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

const run = promisify(execFile);
const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../clients/python');

let s: Stack;
beforeAll(async () => {
  s = await startStack({ tag: 'pyup', listen: true });
});
afterAll(async () => {
  await s?.close();
});

describe('Python client upload_dataset', () => {
  it('uploads rows (tuples too), reads the metadata back, runs a range test on the dataset id; NaN raises before sending', async () => {
    const { stdout } = await run(
      'python3',
      [
        '-c',
        `
import json, os, math
from lrfinder import Client
lrf = Client(os.environ["LRF_URL"])
x = [(math.sin(i), math.cos(i * 0.7)) for i in range(40)]
y = [i % 2 for i in range(40)]
ds = lrf.upload_dataset(x, y, task="classification", name="py")
meta = lrf.dataset(ds["id"])
job = lrf.range_test(model={"hidden": [8]}, data={"dataset_id": ds["id"]}, num_iter=30, batch_size=8)
try:
    lrf.upload_dataset([[float("nan")], [1.0]], [0, 1])
    nan = "sent"
except ValueError:
    nan = "ValueError"
print(json.dumps({"meta": meta, "status": job["status"], "lr": job["result"]["suggested_lr"], "nan": nan}))
`,
      ],
      { cwd: CLIENT_DIR, env: { ...process.env, LRF_URL: s.base }, timeout: 60_000 },
    );
    const out = JSON.parse(stdout);
    expect(out.meta).toMatchObject({ name: 'py', task: 'classification', rows: 40, features: 2, classes: 2 });
    expect(out.status).toBe('succeeded');
    expect(out.lr === null || (out.lr >= 1e-7 && out.lr <= 10)).toBe(true);
    expect(out.nan).toBe('ValueError');
  });
});
