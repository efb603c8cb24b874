/**
 * A range test under `emulate`: the trainer trains each step at the LR the library would have set
 * (its plan, src/lrfinder/emulate/plans.ts), and each raw loss goes through the library's
 * smoothing and stop rule one at a time (the incremental emulation, bit-identical to `emulate()`)
 * until the library would have stopped; then the library's trimming and methods pick on what it
 * recorded. So the picks are what `learn.lr_find()`, `LRFinder.range_test()` + `plot()`,
 * Lightning's `lr_find`, keras_lr_finder or ignite's `FastaiLRFinder` would answer on this
 * training's loss sequence — NaN and ±Infinity included, the library's artefacts included.
 *
 * What differs from the library is the training, not the pipeline: the trainer skips an update
 * whose gradients are not finite (PyTorch would apply it and poison the weights), so the losses
 * after a non-finite step are those of an unpoisoned model.
 */
import type { StepResult } from '../../core/types.js';
import {
  emulationNext,
  emulationResult,
  emulationStep,
  isFiniteLoss,
  loadFloat,
  METHOD_NAMES,
  resolveEmulation,
  startEmulation,
  summarizeRangeTest,
  type EmulationResult,
  type RangePoint,
  type RangeTestOutcome,
} from '../../lrfinder/index.js';
import type { ResolvedRangeTest } from './resolve.js';

export interface EmulatedRun {
  outcome: RangeTestOutcome;
  emulation: EmulationResult;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The emulated library's options of a resolved request (its `emulate`, every argument filled). */
export function emulationOf(req: ResolvedRangeTest) {
  const { library, ...args } = req.emulate!;
  return resolveEmulation(library, args);
}

export function* emulatedRangeTest(
  req: ResolvedRangeTest,
  step: (lr: number, i: number) => StepResult,
): Generator<RangePoint, EmulatedRun> {
  const o = emulationOf(req);
  let s = startEmulation(o);
  const points: RangePoint[] = [];
  let best: number | null = null;
  for (let next = emulationNext(s, o); next !== null; next = emulationNext(s, o)) {
    const r = step(next.lr, next.iteration);
    s = emulationStep(s, o, r.loss);
    const recorded = loadFloat(s.losses[s.losses.length - 1]);
    if (Number.isFinite(recorded) && (best === null || recorded < best)) best = recorded;
    const p: RangePoint = {
      iteration: next.iteration,
      lr: next.recorded_lr,
      loss: isFiniteLoss(r.loss) ? r.loss : null,
      smoothed_loss: finiteOrNull(recorded),
      grad_norm: finiteOrNull(r.grad_norm),
      best_loss: best,
    };
    points.push(p);
    yield p;
  }
  const emulation = emulationResult(s, o, {
    suggestion: req.suggestion,
    methods: METHOD_NAMES,
    skip_start: req.skip_start,
    skip_end: req.skip_end,
    sma: req.sma,
  });
  // the trainer keeps stepping until the library stops, so its run never runs out of losses
  const stop = emulation.stop_reason === 'exhausted' ? 'completed' : emulation.stop_reason;
  return { outcome: summarizeRangeTest(points, stop), emulation };
}
