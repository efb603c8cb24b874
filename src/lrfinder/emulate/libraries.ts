/**
 * The five libraries as data: which LR plan, smoothing, stop rule and suggestion methods each one
 * chains, and its default method. ./emulator.ts runs any row; nothing else knows a library by name.
 *
 * | library          | plan               | smoothing                        | stop rule                        | methods (default first)          |
 * |------------------|--------------------|----------------------------------|----------------------------------|----------------------------------|
 * | fastai           | exp, i/num_it      | bias-corrected EMA β .98, f32    | > 4·best (stop_div), NaN never   | valley, slide, minimum, steep    |
 * | torch-lr-finder  | exp/linear, i/(N-1)| EMA smooth_f .05 seeded, f64     | > 5·best                         | steepest                         |
 * | lightning        | skips 1/N          | off-by-one bias correction, f64  | > 4·best from step 2             | lightning, lightning_legacy      |
 * | keras-lr-finder  | ×lr_mult, f32      | none                             | batch > 5: NaN or > 4·best       | keras_sma                        |
 * | ignite           | one step ahead     | EMA smooth_f .05 seeded, f64     | > 5·best; N+1 points             | ignite                           |
 */
import type { LibraryName, MethodName } from '../suggest/registry.js';
import { PLANS, type Plan } from './plans.js';
import { SMOOTHERS, type Smoother } from './smoothing.js';
import { STOP_RULES, type StopRule } from './stop-rules.js';

export interface LibrarySpec {
  name: LibraryName;
  plan: Plan;
  smoothing: Smoother;
  stop: StopRule;
  /** the library's suggestion methods; the first is its default */
  methods: readonly MethodName[];
}

export const LIBRARIES: Readonly<Record<LibraryName, LibrarySpec>> = Object.freeze({
  fastai: {
    name: 'fastai',
    plan: PLANS.fastai,
    smoothing: SMOOTHERS.fastai,
    stop: STOP_RULES.fastai,
    methods: ['valley', 'slide', 'minimum', 'steep'],
  },
  'torch-lr-finder': {
    name: 'torch-lr-finder',
    plan: PLANS['torch-lr-finder'],
    smoothing: SMOOTHERS.ema,
    stop: STOP_RULES.torch,
    methods: ['steepest'],
  },
  lightning: {
    name: 'lightning',
    plan: PLANS.lightning,
    smoothing: SMOOTHERS.lightning,
    stop: STOP_RULES.lightning,
    methods: ['lightning', 'lightning_legacy'],
  },
  'keras-lr-finder': {
    name: 'keras-lr-finder',
    plan: PLANS['keras-lr-finder'],
    smoothing: SMOOTHERS.none,
    stop: STOP_RULES.keras,
    methods: ['keras_sma'],
  },
  ignite: { name: 'ignite', plan: PLANS.ignite, smoothing: SMOOTHERS.ema, stop: STOP_RULES.torch, methods: ['ignite'] },
});
