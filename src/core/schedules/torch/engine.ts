/**
 * A faithful model of torch.optim.lr_scheduler's stateful protocol, so that composites behave
 * exactly as in PyTorch (main, 2025: `_is_initial` initial mode, SequentialLR resets children with
 * `_update_lr(0)`):
 *
 * - one optimizer param group, shared by every scheduler (`group.lr`, `group.initial_lr`, momentum, ...);
 * - `LRScheduler.__init__`: `group.setdefault('initial_lr', lr)`, `base_lrs = [initial_lr]`,
 *   `last_epoch = -1`, then `_initial_step()` = `step()` in initial mode;
 * - `step()`: `_step_count += 1`, `_update_lr()`: `last_epoch += 1; lr = get_lr()` (the chainable form);
 * - `_update_lr(epoch)`: `last_epoch = epoch`, closed form when the class has one, else `get_lr()`.
 *
 * Source: torch/optim/lr_scheduler.py (LRScheduler, SequentialLR, ChainedScheduler).
 */
import { ScheduleError, bisectRight } from '../errors.js';

export interface Group {
  lr: number;
  initial_lr?: number;
  momentum: number;
  [key: string]: number | undefined;
}

/** torch.optim.SGD(params, lr) with one param group: `defaults` holds lr and momentum (0). */
export interface Optim {
  group: Group;
  defaults: { lr: number; momentum: number };
}

export function makeOptimizer(lr: number): Optim {
  return { group: { lr, momentum: 0 }, defaults: { lr, momentum: 0 } };
}

/** Common state of every scheduler object (LRScheduler's attributes). */
export abstract class Sched {
  last_epoch = -1;
  _step_count = 0;
  _is_initial = false;
  _last_lr = NaN;
  /** ChainedScheduler never sets `last_epoch` (it does not call LRScheduler.__init__). */
  hasLastEpoch = true;
  children: Sched[] | null = null;
  /** true when this scheduler writes `group.momentum` (CyclicLR / OneCycleLR with cycle_momentum) */
  cyclesMomentum = false;

  constructor(
    readonly kind: string,
    readonly opt: Optim,
    readonly path: string,
  ) {}

  get group(): Group {
    return this.opt.group;
  }

  abstract step(): void;

  /** LRScheduler._update_lr for classes that have neither get_lr nor a closed form (composites). */
  _update_lr(_epoch?: number): void {
    throw new ScheduleError(
      this.path,
      `${this.kind} cannot follow a milestone of SequentialLR: torch calls _update_lr(0) on it, which ` +
        `needs get_lr(), and ${this.kind}.get_lr raises NotImplementedError`,
      'NotImplementedError',
    );
  }

  /** LRScheduler._initial_step */
  _initial_step(): void {
    this._step_count = 0;
    this._is_initial = true;
    try {
      this.step();
    } finally {
      this._is_initial = false;
    }
  }

  get_last_lr(): number {
    return this._last_lr;
  }

  /** every scheduler in this tree, depth first */
  *walk(): Generator<Sched> {
    yield this;
    for (const c of this.children ?? []) yield* c.walk();
  }
}

/** How one scheduler class computes its lr; `s` is the scheduler object, `s.group.lr` the current lr. */
export interface ClassDef<S> {
  /** what __init__ does before `super().__init__` (validation is done by the caller while parsing) */
  preInit?(s: Basic<S>): void;
  /** what __init__ does after `super().__init__` */
  postInit?(s: Basic<S>): void;
  /** the chainable `get_lr()` */
  getLr(s: Basic<S>): number;
  /** `_get_closed_form_lr()` for classes that have one */
  closed?(s: Basic<S>): number;
  /** an overridden `step()` (CosineAnnealingWarmRestarts) */
  step?(s: Basic<S>): void;
}

/** A plain (non-composite) scheduler: LRScheduler plus one ClassDef and its parsed arguments `p`. */
export class Basic<S> extends Sched {
  base_lr = NaN;

  /** `state` holds a class's extra mutable attributes (T_cur, T_i, ...). */
  constructor(
    kind: string,
    opt: Optim,
    path: string,
    readonly def: ClassDef<S>,
    readonly p: S,
    readonly state: Record<string, number> = {},
  ) {
    super(kind, opt, path);
    def.preInit?.(this);
    // LRScheduler.__init__ with last_epoch == -1
    if (this.group.initial_lr === undefined) this.group.initial_lr = this.group.lr;
    this.base_lr = this.group.initial_lr;
    this.last_epoch = -1;
    this._initial_step();
    def.postInit?.(this);
  }

  step(): void {
    if (this.def.step) {
      this.def.step(this);
      return;
    }
    this._step_count += 1;
    this._update_lr();
  }

  override _update_lr(epoch?: number): void {
    let lr: number;
    if (epoch === undefined) {
      this.last_epoch += 1;
      lr = this.def.getLr(this);
    } else {
      this.last_epoch = epoch;
      lr = this.def.closed ? this.def.closed(this) : this.def.getLr(this);
    }
    this.group.lr = lr;
    this._last_lr = this.group.lr;
  }
}

function rejectPlateau(kind: string, children: Sched[]): void {
  children.forEach((c, i) => {
    if (c.kind === 'ReduceLROnPlateau') {
      throw new ScheduleError(
        c.path,
        `${kind} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be ` +
          `specified when calling \`step\`, but got one at index ${i} in the given schedulers sequence.`,
      );
    }
  });
}

// torch/optim/lr_scheduler.py SequentialLR.__init__ / recursive_undo / step
export class Sequential extends Sched {
  constructor(
    opt: Optim,
    path: string,
    children: Sched[],
    readonly milestones: number[],
  ) {
    super('SequentialLR', opt, path);
    if (children.length < 1) {
      throw new ScheduleError(
        `${path}/schedulers`,
        'SequentialLR expects at least one scheduler, but got no scheduler.',
      );
    }
    rejectPlateau('SequentialLR', children);
    if (milestones.length !== children.length - 1) {
      throw new ScheduleError(
        `${path}/milestones`,
        'Sequential Schedulers expects number of schedulers provided to be one more than the number of ' +
          `milestone points, but got number of schedulers ${children.length} and the number of milestones ` +
          `to be equal to ${milestones.length}`,
      );
    }
    this.children = children;
    this.last_epoch = -1 + 1;
    const g = this.group;
    if (g.initial_lr === undefined) throw new ScheduleError(path, "'initial_lr'", 'KeyError');
    g.lr = g.initial_lr; // reset learning rates back to initial values
    Sequential.recursiveUndo(this);
    children[0]._initial_step();
    this._last_lr = children[0].get_last_lr();
  }

  static recursiveUndo(s: Sched): void {
    if (s.children) for (const c of s.children) Sequential.recursiveUndo(c);
    else if (s.hasLastEpoch) s.last_epoch -= 1;
  }

  step(): void {
    this.last_epoch += 1;
    const children = this.children as Sched[];
    const idx = bisectRight(this.milestones, this.last_epoch);
    const s = children[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.last_epoch) s._update_lr(0);
    else s.step();
    this._last_lr = s.get_last_lr();
  }
}

// torch/optim/lr_scheduler.py ChainedScheduler.__init__ / step
export class Chained extends Sched {
  constructor(opt: Optim, path: string, children: Sched[]) {
    super('ChainedScheduler', opt, path);
    if (children.length < 1) {
      throw new ScheduleError(
        `${path}/schedulers`,
        'ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.',
      );
    }
    rejectPlateau('ChainedScheduler', children);
    this.children = children;
    this.hasLastEpoch = false;
    this._last_lr = this.group.lr;
  }

  step(): void {
    for (const c of this.children as Sched[]) c.step();
    this._last_lr = this.group.lr;
  }
}
