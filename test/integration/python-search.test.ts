/**
 * The Python client's LR search against a real listening server, a private redis-server and a
 * real worker: `search(train_fn)` (a synthetic model in the client's loop, with and without a
 * range test) ends with the result the pure session gives; `lr_search(...)` queues the job and
 * waits for its recommendation.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  applyReport,
  nextOf,
  resolveSearchSession,
  startSession,
  type SearchSessionDoc,
} from '../../src/sync/lr-search-sessions/session.js';
import { startStack, type Stack } from '../helpers/stack.js';

const run = promisify(execFile);
const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../clients/python');

let s: Stack;
beforeAll(async () => {
  s = await startStack({ tag: 'py-search', listen: true });
});
afterAll(async () => {
  await s?.close();
});

async function python(code: string): Promise<any> {
  const { stdout } = await run('python3', ['-c', code], {
    cwd: CLIENT_DIR,
    env: { ...process.env, LRF_URL: s.base },
    timeout: 120_000,
  });
  return JSON.parse(stdout);
}

/** The same synthetic model in TypeScript and Python: trials best near lr = 10^-2.2 at 1000 steps, diverged from 0.3
 * up. */
const trial = (lr: number, steps: number) =>
  lr >= 0.3 ? null : 0.1 + 0.05 * (Math.log10(lr) + 2.2 + 0.2 * Math.log10(1000 / steps)) ** 2;
const PY_MODEL = `
import math
def train_fn(lr, steps):
    if lr >= 0.3: return float("nan")
    return 0.1 + 0.05 * (math.log10(lr) + 2.2 + 0.2 * math.log10(1000 / steps)) ** 2
`;

describe('Python client: LR search', () => {
  it("search(train_fn) without a range test ends with the pure session's result", async () => {
    const out = await python(`
import json, os
from lrfinder import Client
${PY_MODEL}
lrf = Client(os.environ["LRF_URL"])
r = lrf.search(train_fn, train_steps=400, end_lr=1)
print(json.dumps(r))
`);
    const request = resolveSearchSession({ train_steps: 400, end_lr: 1, range_test: false }, loadConfig({}).limits);
    let doc: SearchSessionDoc = {
      id: 'x',
      owner: 'x',
      created_at: '',
      updated_at: '',
      request,
      ...startSession(request),
    };
    for (let n = nextOf(doc); n; n = nextOf(doc))
      doc = applyReport(
        doc,
        n.type === 'trial' ? { trial: n.trial, metric: trial(n.lr, n.steps) } : { iteration: 0, loss: 0 },
        new Date(),
      );
    expect(out).toEqual(JSON.parse(JSON.stringify(doc.result)));
    // at 400 steps the model's best LR is 10^(-2.2 - 0.2·log10(2.5)) = 10^-2.28: the nearest half decade is 10^-2.5
    expect(out.recommended_lr).toBeCloseTo(10 ** -2.5, 12);
    expect(out.cost.steps).toBeLessThanOrEqual(1600);
  });

  it('search(train_fn, step_fn) runs the range test first, then the trials', async () => {
    const out = await python(`
import json, os, math
from lrfinder import Client
${PY_MODEL}
state = {"i": 0}
def step_fn(lr):
    state["i"] += 1
    return 2.3 - 0.3 * math.tanh(math.log10(lr) + 4) + (40 * (lr - 0.05) if lr > 0.05 else 0)
lrf = Client(os.environ["LRF_URL"])
s = lrf.search_session(train_steps=400)
r = s.run(train_fn, step_fn)
print(json.dumps({"r": r, "steps": state["i"], "status": s.status, "repr": repr(s)}))
`);
    expect(out.status).toBe('done');
    expect(out.r.range_test.lrs).toHaveLength(out.steps);
    expect(out.r.cost.range_test_steps).toBe(out.steps);
    expect(out.r.recommended_lr).toBeGreaterThan(1e-3);
    expect(out.r.recommended_lr).toBeLessThan(0.1);
    expect(out.repr).toContain('status=done');
  });

  it('lr_search() queues the job and waits for the recommendation', async () => {
    const out = await python(`
import json, os
from lrfinder import Client
lrf = Client(os.environ["LRF_URL"])
job = lrf.lr_search(preset="spirals-search", train_steps=200)
print(json.dumps({"status": job.status, "r": job.result, "repr": repr(job), "card": job._repr_html_()}))
`);
    expect(out.status).toBe('succeeded');
    expect(out.r.recommended_lr).toBeGreaterThan(0);
    expect(out.r.cost.steps).toBeLessThanOrEqual(800);
    // the answer, not only the status, in the repr and in the notebook card (with the plot inline)
    expect(out.repr).toMatch(
      /^<Job lr-searches [0-9a-f-]{36}: status=succeeded, recommended_lr=[0-9.e-]+, interval=[0-9.e-]+ to [0-9.e-]+.*, confidence=(high|medium|low) \(p=[0-9.]+\), cost=\d+ steps of 800/,
    );
    for (const shown of ['recommended_lr', 'interval', 'confidence', 'cost', '<svg']) expect(out.card).toContain(shown);
  });
});
