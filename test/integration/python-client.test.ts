/**
 * The notebook path: clients/python/lrfinder.py (stdlib only) against a real listening server,
 * a private redis-server and a real worker process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

const run = promisify(execFile);
const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../clients/python');

let s: Stack;

beforeAll(async () => { s = await startStack({ tag: 'py', listen: true }); });
afterAll(async () => { await s?.close(); });

async function python(code: string): Promise<any> {
  const { stdout } = await run('python3', ['-c', code], { cwd: CLIENT_DIR, env: { ...process.env, LRF_URL: s.base }, timeout: 60_000 });
  return JSON.parse(stdout);
}

describe('Python client', () => {
  it('runs a range test and waits for the suggestion', async () => {
    const out = await python(`
import json, os
from lrfinder import Client
lrf = Client(os.environ["LRF_URL"])
job = lrf.range_test(preset="spirals-mlp", num_iter=40)
r = job["result"]
print(json.dumps({"status": job["status"], "n": len(r["lrs"]), "lr": r["suggested_lr"], "first": r["lrs"][0], "presets": [p["name"] for p in lrf.presets()]}))
`);
    expect(out.status).toBe('succeeded');
    expect(out.n).toBeGreaterThan(0);
    expect(out.first).toBe(1e-7);
    expect(out.presets).toContain('spirals-mlp');
    expect(out.lr === null || (out.lr >= 1e-7 && out.lr <= 10)).toBe(true);
  });

  it('previews a schedule and analyses a curve recorded elsewhere', async () => {
    const out = await python(`
import json, os, math
from lrfinder import Client
lrf = Client(os.environ["LRF_URL"])
p = lrf.preview_schedule({"type": "StepLR", "lr": 0.1, "step_size": 2, "gamma": 0.5}, steps=5)
a = lrf.analyze_curve([1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1], [2.30, 2.29, 2.10, 1.40, 1.10, math.inf], suggestion="steepest", skip_start=0, skip_end=0)
print(json.dumps({"lrs": p["lrs"], "steepest": a["suggestions"]["steepest"]}))
`);
    expect(out.lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]); // torch StepLR(step_size=2, gamma=0.5)
    expect(out.steepest).toEqual({ lr: 0.01, index: 3 }); // np.gradient(losses[:5]).argmin() on the finite prefix
  });

  it('raises LrFinderError with the problem for a bad request, and refuses NaN before sending', async () => {
    const out = await python(`
import json, os, math
from lrfinder import Client, LrFinderError
lrf = Client(os.environ["LRF_URL"])
res = {}
try:
    lrf.range_test(num_iter="100")
except LrFinderError as e:
    res["status"], res["code"], res["pointer"] = e.status, e.code, e.errors[0]["pointer"]
try:
    lrf.range_test(start_lr=math.nan)
except ValueError as e:
    res["nan"] = "refused"
print(json.dumps(res))
`);
    expect(out).toEqual({ status: 400, code: 'invalid_request', pointer: '/num_iter', nan: 'refused' });
  });
});
