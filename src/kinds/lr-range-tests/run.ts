/**
 * An LR range test job: for each repeat, a fresh model (seed + r) trained through the range
 * test generator — the service's own pipeline (torch-lr-finder's plan, EMA and stop rule, made
 * NaN- and sign-safe; every method on the smoothed curve), or with `emulate` the library's whole
 * pipeline (./emulated.ts). The result is the first run's curves and suggestions, plus, with
 * repeats > 1, every run's curve and the spread of the suggestion (log-mean, min, max).
 */
import { wireEmulation, wirePicks, wireSuggestion, wireWarning } from '../../contracts/picks.js';
import { dataShape, datasetRows } from '../../contracts/resolve.js';
import { toTrainSpec } from '../../contracts/train-spec.js';
import { createTrainer } from '../../core/trainer.js';
import { batchWarning } from '../../contracts/batch.js';
import type { StepResult } from '../../core/types.js';
import {
  analyzeRangeTest,
  appendLayerStats,
  downsampleLayers,
  emulationLimit,
  layerWarnings,
  METHOD_NAMES,
  rangeTest,
  type CurveWarning,
  type EmulationResult,
  type LayerSeries,
  type MethodPick,
  type MethodName,
  type RangePoint,
  type RangeTestOutcome,
} from '../../lrfinder/index.js';
import type { JobDeps } from '../kind.js';
import type { LrRangeTestResult } from './contract.js';
import { emulatedRangeTest, emulationOf, type EmulatedRun } from './emulated.js';
import type { ResolvedRangeTest } from './resolve.js';
import { maxOf, minOf } from '../../core/extent.js';

/** One run's picks, whichever pipeline made them. */
interface RunAnalysis {
  suggested_lr: number | null;
  suggestion: MethodPick;
  suggestions: Partial<Record<MethodName, MethodPick>>;
  warnings: CurveWarning[];
}

export interface RangeTestProgress {
  iteration: number;
  total: number;
  lr: number;
  loss: number | null;
  smoothed_loss: number | null;
  run: number;
  [key: string]: unknown;
}

const NON_FINITE_HINT =
  'the loss or the gradients became NaN/Inf: clip gradients (clip_grad_norm), lower end_lr, and check the data for NaN or huge values';

export function* runLrRangeTest(
  req: ResolvedRangeTest,
  deps: JobDeps,
): Generator<RangeTestProgress, LrRangeTestResult> {
  const dataset = deps.dataset(req.data, req.seed);
  const perRun = req.emulate ? (emulationLimit(emulationOf(req)) as number) : req.num_iter;
  const total = perRun * req.repeats;
  const runs: { seed: number; outcome: RangeTestOutcome; analysis: RunAnalysis; emulation?: EmulationResult }[] = [];
  const layers: LayerSeries[] = [];

  for (let r = 0; r < req.repeats; r++) {
    const seed = req.seed + r;
    const spec = toTrainSpec(req, seed, req.start_lr);
    const trainer = createTrainer(spec, {
      backend: deps.backend(spec, { ...dataShape(req.data), rows: dataset?.rows ?? datasetRows(req.data) }),
      dataset,
    });
    const step = (lr: number): StepResult => {
      const s = trainer.step(lr);
      if (r === 0) appendLayerStats(layers, trainer.layerStats());
      if (req.eval !== 'val' || s.non_finite) return s;
      return { ...s, loss: trainer.evaluate('val').loss };
    };
    const gen: Generator<RangePoint, RangeTestOutcome | EmulatedRun> = req.emulate
      ? emulatedRangeTest(req, step)
      : rangeTest(req, step);
    let next = gen.next();
    while (!next.done) {
      const p = next.value;
      yield {
        iteration: r * perRun + p.iteration + 1,
        total,
        lr: p.lr,
        loss: p.loss,
        smoothed_loss: p.smoothed_loss,
        run: r,
      };
      next = gen.next();
    }
    const done = next.value;
    if ('emulation' in done) {
      const e = done.emulation;
      const s = e.suggestion;
      const warnings = [...e.warnings, ...s.warnings];
      if (s.lr === null) warnings.push({ code: 'no_suggestion', message: `no ${s.method} suggestion: ${s.reason}` });
      runs.push({
        seed,
        outcome: done.outcome,
        analysis: { suggested_lr: s.lr, suggestion: s, suggestions: e.suggestions, warnings },
        emulation: e,
      });
    } else {
      const analysis = analyzeRangeTest(done, {
        num_iter: req.num_iter,
        suggestion: req.suggestion,
        skip_start: req.skip_start,
        skip_end: req.skip_end,
        methods: METHOD_NAMES,
        sma: req.sma,
      });
      runs.push({ seed, outcome: done, analysis });
    }
  }

  const first = runs[0];
  const warnings = [
    ...first.analysis.warnings,
    ...layerWarnings(layers, first.outcome.grad_norms, first.analysis.suggestion.index),
  ].map(wireWarning);
  const batch = batchWarning(req.batch_size, req.data);
  if (batch) warnings.unshift(batch);
  if (first.outcome.stop_reason === 'non_finite' && !req.emulate) {
    warnings.push({ code: 'non_finite', message: NON_FINITE_HINT, iteration: first.outcome.iterations - 1 });
  }
  const sampled = downsampleLayers(layers, deps.layerPoints ?? Number.MAX_SAFE_INTEGER);
  const result: LrRangeTestResult = {
    lrs: first.outcome.lrs,
    losses: first.outcome.losses,
    smoothed_losses: first.outcome.smoothed_losses,
    grad_norms: first.outcome.grad_norms,
    suggested_lr: first.analysis.suggested_lr,
    suggestion: wireSuggestion(first.analysis.suggestion),
    suggestions: wirePicks(first.analysis.suggestions),
    best_lr: first.outcome.best_lr,
    best_loss: first.outcome.best_loss,
    stop_reason: first.outcome.stop_reason,
    iterations: first.outcome.iterations,
    layers: sampled.layers,
    layer_iterations: sampled.index,
    warnings,
    seed: req.seed,
  };
  if (first.emulation) result.emulation = wireEmulation(first.emulation);
  if (req.repeats > 1) {
    result.runs = runs.map((r) => ({
      seed: r.seed,
      lrs: r.outcome.lrs,
      losses: r.outcome.losses,
      smoothed_losses: r.outcome.smoothed_losses,
      suggested_lr: r.analysis.suggested_lr,
      stop_reason: r.outcome.stop_reason,
      iterations: r.outcome.iterations,
    }));
    result.suggestion_spread = spread(runs.map((r) => r.analysis.suggested_lr));
  }
  return result;
}

/** Suggestions of repeated runs, aggregated in log10 (neural_prophet's practice): geometric mean and range. */
export function spread(lrs: (number | null)[]) {
  const ok = lrs.filter((x): x is number => x !== null && x > 0);
  if (ok.length === 0) return { n: 0, log_mean_lr: null, min_lr: null, max_lr: null, log10_std: null };
  const logs = ok.map(Math.log10);
  const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
  return { n: ok.length, log_mean_lr: 10 ** mean, min_lr: minOf(ok), max_lr: maxOf(ok), log10_std: sd };
}
