/**
 * PyTorch scheduler specs → scheduler objects on one shared simulated optimizer, constructed in
 * the order Python would: children first, in list order (`SequentialLR(opt, [A(opt), B(opt)], ...)`),
 * then the composite. transformers schedules (LambdaLR) may be children too, as in Python.
 */
import { Args, isObject, type Json, type JsonObject } from '../args.js';
import { ScheduleError } from '../errors.js';
import { HF_FUNCTIONS, HF_NAMES, buildHf } from '../hf.js';
import {
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  PolynomialLR,
  StepLR,
  lambdaClass,
  type TorchClass,
} from './classes.js';
import { CyclicLR, OneCycleLR } from './cyclic.js';
import { Basic, Chained, Sched, Sequential, type Optim } from './engine.js';
import { parsePlateau } from './plateau.js';
import { own } from '../../own.js';

export const TORCH_CLASSES: Readonly<Record<string, TorchClass<unknown>>> = {
  StepLR,
  MultiStepLR,
  ConstantLR,
  LinearLR,
  ExponentialLR,
  PolynomialLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  OneCycleLR,
  MultiplicativeLR,
};

export const TORCH_TYPES: readonly string[] = [
  ...Object.keys(TORCH_CLASSES),
  'SequentialLR',
  'ChainedScheduler',
  'ReduceLROnPlateau',
];

export const PLATEAU_TYPES: readonly string[] = [
  'ReduceLROnPlateau',
  'reduce_lr_on_plateau',
  'get_reduce_on_plateau_schedule',
];

/** A ReduceLROnPlateau built as a child, only so that the composite can reject it like torch. */
class PlateauChild extends Sched {
  step(): void {}
}

const NO_RESUME = 'resuming is not simulated; every schedule starts at step 0';

function composite(
  spec: JsonObject,
  path: string,
  opt: Optim,
  child: boolean,
  fn: string,
): { a: Args; children: Sched[] } {
  const a = new Args(spec, path, fn);
  if (!child) a.accept('lr');
  const list = a.list('schedulers');
  const children = list.map((c, i) => buildSched(c, `${path}/schedulers/${i}`, opt, true));
  return { a, children };
}

/** Build one PyTorch (or transformers) scheduler; `child` = inside SequentialLR/ChainedScheduler (no `lr`). */
export function buildSched(spec: Json, path: string, opt: Optim, child: boolean): Sched {
  if (!isObject(spec)) throw new ScheduleError(path, 'a schedule must be an object with a `type`', 'TypeError');
  const type = spec.type as string;
  if (child && spec.lr !== undefined) {
    throw new ScheduleError(
      `${path}/lr`,
      "children of SequentialLR / ChainedScheduler share the optimizer's lr: give lr on the outer schedule only",
      'TypeError',
    );
  }
  if (type === 'SequentialLR') {
    const { a, children } = composite(spec, path, opt, child, 'SequentialLR.__init__');
    const milestones = a.numList('milestones');
    a.unsupported('last_epoch', NO_RESUME);
    a.finish();
    return new Sequential(opt, path, children, milestones);
  }
  if (type === 'ChainedScheduler') {
    const { a, children } = composite(spec, path, opt, child, 'ChainedScheduler.__init__');
    a.finish();
    return new Chained(opt, path, children);
  }
  if (typeof type === 'string' && PLATEAU_TYPES.includes(type)) {
    const a = new Args(
      spec,
      path,
      type === 'ReduceLROnPlateau' ? 'ReduceLROnPlateau.__init__' : 'ReduceLROnPlateau.__init__',
    );
    parsePlateau(a);
    a.finish();
    return new PlateauChild('ReduceLROnPlateau', opt, path);
  }
  const cls = own(TORCH_CLASSES, type);
  if (cls !== undefined) {
    const a = new Args(spec, path, `${type}.__init__`);
    if (!child) a.accept('lr');
    a.unsupported('last_epoch', NO_RESUME);
    const p = cls.parse(a);
    a.finish();
    return new Basic(type, opt, path, cls.def, p, cls.state?.(p));
  }
  if (own(HF_NAMES, type) !== undefined || HF_FUNCTIONS.includes(type)) {
    const r = buildHf(spec, path, opt.defaults.lr);
    if ('plateau' in r) return new PlateauChild('ReduceLROnPlateau', opt, path);
    const lambda = lambdaClass(r.lambda);
    return new Basic('LambdaLR', opt, path, lambda.def, {});
  }
  throw new ScheduleError(
    `${path}/type`,
    `${JSON.stringify(type)} cannot be a child of SequentialLR / ChainedScheduler: children are PyTorch schedulers (or transformers schedules); known: ${TORCH_TYPES.join(', ')}`,
  );
}
