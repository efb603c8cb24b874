/**
 * `emulate` on range-test jobs, end to end (a private redis-server, the real worker process, the
 * app via inject): the job trains at each library's LR plan and its `suggestion` / `suggestions`
 * are what the library would answer on that loss sequence. Checked two ways on the job's own raw
 * losses: the batch emulation (src/lrfinder/emulate), and — with a python that imports torch —
 * the libraries' own code (test/lrfinder/fixtures/emulate_cli.py runs libraries.py, which mirrors
 * fastai, torch-lr-finder, Lightning, keras_lr_finder and ignite on real torch tensors).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLoss, emulate, METHOD_NAMES, type WireLoss } from '../../src/lrfinder/index.js';
import { pythonWith } from '../helpers/python.js';
import { allFinite, finished, jobApi, startStack, type Json, type Stack } from '../helpers/stack.js';

const TORCH_PYTHON = await pythonWith(['torch', 'numpy']);
if (!TORCH_PYTHON)
  console.warn(
    "lr-range-test-emulate.test.ts: no python imports torch; the comparison with the libraries' own code is SKIPPED",
  );
const CLI = fileURLToPath(new URL('../lrfinder/fixtures/emulate_cli.py', import.meta.url));

let s: Stack;
beforeAll(async () => {
  s = await startStack({ tag: 'emulate' });
});
afterAll(async () => {
  await s?.close();
});

const JOBS: [string, Json][] = [
  ['fastai', { preset: 'iris-mlp', num_iter: 80, emulate: 'fastai' }],
  [
    'fastai diverging',
    {
      preset: 'spirals-mlp',
      optimizer: { type: 'sgd' },
      emulate: { library: 'fastai', start_lr: 1e-4, end_lr: 1e4, num_iter: 80 },
    },
  ],
  [
    'torch-lr-finder',
    { preset: 'iris-mlp', emulate: { library: 'torch-lr-finder', start_lr: 1e-6, end_lr: 10, num_iter: 80 } },
  ],
  [
    'torch-lr-finder diverging, linear',
    {
      preset: 'spirals-mlp',
      optimizer: { type: 'sgd' },
      emulate: { library: 'torch-lr-finder', start_lr: 1e-3, end_lr: 1e3, num_iter: 80, step_mode: 'linear' },
    },
  ],
  ['lightning', { preset: 'moons-mlp', num_iter: 80, emulate: 'lightning' }],
  [
    'keras-lr-finder',
    { preset: 'iris-mlp', num_iter: 80, sma: 3, emulate: { library: 'keras-lr-finder', steps_per_epoch: 40 } },
  ],
  ['ignite', { preset: 'spirals-mlp', num_iter: 70, emulate: 'ignite' }],
  ['ignite to the end', { preset: 'iris-mlp', num_iter: 50, emulate: { library: 'ignite', diverge_th: 1e6 } }],
];

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
const done: Record<string, Json> = {};

describe("a range test with emulate runs the library's whole pipeline on the trainer's raw losses", () => {
  it('every job succeeds; the result says how many points the library recorded and why it stopped', async () => {
    const api = jobApi(s, 'lr-range-tests');
    const ids = await Promise.all(
      JOBS.map(async ([, body]) => {
        const { res, json } = await api.submit(body);
        expect(res.statusCode, res.body).toBe(202);
        return json.id as string;
      }),
    );
    for (let k = 0; k < JOBS.length; k++) {
      const { final } = await api.waitFor(ids[k], finished);
      expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
      expect(allFinite(final)).toBe(true);
      const r = final.result;
      expect(r.emulation.library).toBe(final.request.emulate.library);
      expect(r.iterations).toBe(r.emulation.iterations);
      expect(r.lrs).toEqual(r.emulation.lrs);
      expect(Object.keys(r.suggestions)).toEqual([...METHOD_NAMES]);
      expect(final.progress).toMatchObject({ iteration: r.iterations });
      done[JOBS[k][0]] = final;
    }
    expect(done['fastai diverging'].result.stop_reason).toBe('diverged');
    expect(done['torch-lr-finder diverging, linear'].result.stop_reason).toBe('diverged');
    expect(done['ignite to the end'].result).toMatchObject({ iterations: 51, stop_reason: 'completed' }); // ignite records num_iter + 1 points
  }, 240_000);

  it("the picks are the batch emulation's on the same raw losses", () => {
    for (const [name, job] of Object.entries(done)) {
      const { library, ...options } = job.request.emulate;
      const raw = (job.result.emulation.raw_losses as WireLoss[]).map(decodeLoss);
      const batch = emulate(library, raw, options, { methods: METHOD_NAMES, sma: job.request.sma });
      expect(job.result.emulation.stop_reason, name).toBe(batch.stop_reason);
      for (const m of METHOD_NAMES) {
        expect(job.result.suggestions[m], `${name} ${m}`).toMatchObject({
          index: batch.suggestions[m]!.index,
          lr: batch.suggestions[m]!.lr,
        });
      }
      expect(job.result.suggestion.method).toBe(batch.suggestion.method);
    }
  });

  it.skipIf(!TORCH_PYTHON)("the picks are the libraries' own, from their code on the same raw losses", async () => {
    const names = Object.keys(done);
    const input = names.map((n) => ({
      library: done[n].request.emulate.library,
      options: done[n].request.emulate,
      raw: done[n].result.emulation.raw_losses,
      sma: done[n].request.sma,
    }));
    const child = promisify(execFile)(TORCH_PYTHON as string, [CLI], { timeout: 120_000, maxBuffer: 16 << 20 });
    child.child.stdin!.end(JSON.stringify(input));
    const ref = JSON.parse((await child).stdout) as Json[];
    expect(ref.flatMap((r) => Object.values(r.picks)).filter((i) => i !== null).length).toBeGreaterThanOrEqual(
      names.length,
    ); // not a comparison of nulls
    names.forEach((name, k) => {
      const want = ref[k];
      const r = done[name].result;
      expect(r.emulation.iterations, name).toBe(want.iterations);
      expect(r.emulation.stop_reason, name).toBe(want.stop_reason);
      r.lrs.forEach((lr: number, i: number) =>
        expect(rel(lr, want.lrs[i]), `${name} lrs[${i}]`).toBeLessThanOrEqual(1e-12),
      );
      want.losses.forEach((v: WireLoss, i: number) => {
        if (typeof v === 'number')
          expect(rel(r.emulation.losses[i], v), `${name} losses[${i}]`).toBeLessThanOrEqual(1e-12);
        else expect(r.emulation.losses[i], `${name} losses[${i}]`).toBe(v);
      });
      for (const [m, idx] of Object.entries(want.picks) as [string, number | null][]) {
        const got = r.suggestions[m];
        expect(got.index, `${name} ${m}`).toBe(idx);
        if (idx !== null) expect(got.lr, `${name} ${m} lr`).toBe(m === 'minimum' ? r.lrs[idx] / 10 : r.lrs[idx]);
      }
      // the library's default method is the suggestion
      expect(r.suggestion.index, name).toBe(want.picks[r.suggestion.method]);
    });
  });
});
