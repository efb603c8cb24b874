/**
 * The notebook path: clients/python/lrfinder (stdlib only) against a real listening server,
 * a private redis-server and a real worker process; and its tests that need no service
 * (clients/python/tests/test_display.py).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { runPythonTests } from '../helpers/python.js';
import { RANGE_TEST_OPTION_DEFAULTS } from '../../src/lrfinder/range-test.js';
import { newSweep, sweepNext, sweepResult, sweepStep } from '../../src/lrfinder/session.js';

const run = promisify(execFile);
const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../clients/python');
const NS = '{http://www.w3.org/2000/svg}';

let s: Stack;

beforeAll(async () => {
  s = await startStack({ tag: 'py', listen: true });
});
afterAll(async () => {
  await s?.close();
});

async function python(code: string): Promise<any> {
  const { stdout } = await run('python3', ['-c', code], {
    cwd: CLIENT_DIR,
    env: { ...process.env, LRF_URL: s.base },
    timeout: 60_000,
  });
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
n = lrf.analyze_curve([1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1], [2.30, 2.29, 2.10, 1.40, 1.10, math.nan], suggestion="steepest", skip_start=0, skip_end=0)
e = lrf.analyze_curve(None, [2.3 - 0.01 * i for i in range(30)], emulate="fastai")
print(json.dumps({"lrs": p["lrs"], "steepest": a["suggestions"]["steepest"], "nan": n["suggestions"]["steepest"], "fastai": e["emulation"]}))
`);
    expect(out.lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]); // torch StepLR(step_size=2, gamma=0.5)
    // a NaN instead: np.gradient is NaN at 4 and 5, and numpy's argmin is the first NaN (4)
    expect(out.nan).toMatchObject({ lr: 0.1, index: 4 });
    // raw losses through fastai's pipeline, no lrs: its plan, start_lr * (end_lr/start_lr) ** (i/num_it); 30 of its 100
    // points
    expect(out.fastai).toMatchObject({ library: 'fastai', iterations: 30, stop_reason: 'exhausted' });
    expect(out.fastai.lrs[1]).toBe(1e-7 * (10 / 1e-7) ** (1 / 100));
    // the inf travels as "Infinity": torch-lr-finder's np.gradient is [-0.01, -0.1, -0.445, -0.5, inf, inf], argmin 3
    expect(out.steepest).toMatchObject({ lr: 0.01, index: 3, origin: 'torch-lr-finder' });
  });

  it('drives a sweep session from a plain Python loop (no numpy): stops on divergence or NaN, with a suggestion', async () => {
    const out = await python(`
import json, os, math
from lrfinder import Client
lrf = Client(os.environ["LRF_URL"])
def loss_at(lr):  # a model's loss vs LR: falls around lr = 1e-3, blows up past lr = 1
    return 2.3 - (1 + math.tanh(1.5 * (math.log10(lr) + 3))) + 2 * lr * lr
session = lrf.sweep(num_iter=100, suggestion="steepest")
lrs = []
for lr in session:
    lrs.append(lr)
    session.report(loss_at(lr))
nan = lrf.sweep(num_iter=30)
for lr in nan:
    nan.report(float("nan") if lr > 1e-3 else 2.0)
guard = lrf.sweep(num_iter=10)
try:
    for lr in guard:
        pass
except RuntimeError:
    guard.stop()
r = session.result
print(json.dumps({"status": session.status, "reason": session.stop_reason, "n": len(lrs), "iterations": r["iterations"],
                  "lrs_match": r["lrs"] == lrs, "suggestion": r["suggestion"], "nan": [nan.stop_reason, nan.result["losses"][-1]],
                  "guard": guard.stop_reason}))
`);
    expect(out).toMatchObject({
      status: 'stopped',
      reason: 'diverged',
      lrs_match: true,
      nan: ['non_finite', null],
      guard: 'stopped_by_client',
    });
    expect(out.iterations).toBe(out.n);
    expect(out.n).toBeLessThan(100);
    // the same curve through the service's pure state machine (JS Math and Python math may differ by an ulp: index
    // within 1)
    const L = (lr: number) => 2.3 - (1 + Math.tanh(1.5 * (Math.log10(lr) + 3))) + 2 * lr * lr;
    const opts = { ...RANGE_TEST_OPTION_DEFAULTS };
    let ref = newSweep();
    for (let n = sweepNext(ref, opts); n; n = sweepNext(ref, opts)) ref = sweepStep(ref, opts, L(n.lr));
    const expected = sweepResult(ref, { ...opts, suggestion: 'steepest', skip_start: 10, skip_end: 5 });
    expect(out.iterations).toBe(expected.iterations);
    expect(out.suggestion.method).toBe('steepest');
    expect(Math.abs(out.suggestion.index - (expected.suggestion.index as number))).toBeLessThanOrEqual(1);
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

describe('Python client in a notebook', () => {
  it('a job shows its plot.svg inline (_repr_svg_, and inside _repr_html_) and a readable repr; a queued job fetches nothing', async () => {
    const out = await python(`
import json, os
import xml.etree.ElementTree as ET
from lrfinder import Client, Job
lrf = Client(os.environ["LRF_URL"])
job = lrf.range_test(preset="spirals-mlp", num_iter=40)
svg = job._repr_svg_()
root = ET.fromstring(svg)
mark = root.find(".//${NS}g[@class='method-marker'][@data-method='minimum']")
queued = lrf.range_test(wait=False, preset="spirals-mlp", num_iter=40)
queued_svg = queued._repr_svg_()
lrf.wait(queued)
print(json.dumps({"is_job": isinstance(job, Job), "is_dict": isinstance(job, dict), "prolog": svg.startswith("<?xml"),
                  "server_svg_len": len(lrf.svg(job)), "svg_len": len(svg), "mark": float(mark.get("data-lr")),
                  "lr": job["result"]["suggestions"]["minimum"]["lr"], "html": "<svg" in job._repr_html_() and "suggested_lr" in job._repr_html_(),
                  "repr": repr(job), "queued": queued_svg, "same": job.svg() is job.svg()}))
`);
    expect(out).toMatchObject({ is_job: true, is_dict: true, prolog: false, html: true, queued: null, same: true });
    expect(out.mark).toBe(out.lr);
    expect(Math.abs(out.svg_len - out.server_svg_len)).toBeLessThan(200); // the prolog dropped, ids suffixed
    expect(out.repr).toMatch(
      /^<Job lr-range-tests [0-9a-f-]{36}: status=succeeded, suggested_lr=[^,]+, method=minimum, stop_reason=/,
    );
  });

  it("datasets() lists the built-ins and the caller's uploads; a stopped sweep session shows its plot.svg", async () => {
    const out = await python(`
import json, os
import xml.etree.ElementTree as ET
from lrfinder import Client
lrf = Client(os.environ["LRF_URL"])
ds = lrf.upload_dataset([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], [0, 1, 0], name="notebook")
listed = lrf.datasets()
s = lrf.sweep(num_iter=30)
running = s._repr_svg_()
for lr in s:
    s.report(2.0 - min(lr, 1.0))
root = ET.fromstring(s._repr_svg_())
d = root.find(".//${NS}path[@id]").get("d")
served = lrf.request("GET", f"/v1/sweep-sessions/{s.id}/plot.svg")
print(json.dumps({"sources": sorted({d["source"] for d in listed}), "builtins": [d["name"] for d in listed if d["source"] == "builtin"],
                  "upload": [d for d in listed if d.get("id") == ds["id"]][0], "running": running,
                  "points": d.count("M") + d.count("L"), "n": len(s.result["lrs"]), "repr": repr(s),
                  "served": s.svg() == served and served.startswith("<?xml")}))
`);
    expect(out.sources).toEqual(['builtin', 'upload']);
    expect(out.builtins).toContain('spirals');
    expect(out.upload).toMatchObject({ name: 'notebook', rows: 3, features: 2, source: 'upload' });
    expect(out.running).toBeNull();
    expect(out.points).toBe(out.n);
    expect(out.served).toBe(true); // the service's drawing, not one of the client's
    expect(out.repr).toMatch(/^<SweepSession [0-9a-f-]{36}: status=stopped, suggested_lr=/);
  });

  it('client tests without a service (tests/test_display.py: reprs, plots fetched not drawn, JSON encoding) pass', async () => {
    const results = await runPythonTests('python3', ['test_display.py']);
    expect(Object.keys(results).length).toBeGreaterThanOrEqual(10);
    for (const [name, r] of Object.entries(results)) expect(r.outcome, `${name}\n${r.detail}`).toBe('passed');
  });
});
