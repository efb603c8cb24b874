/**
 * ReduceLROnPlateau: not a function of the step but of the metrics passed to `step(metrics)`.
 * Source: torch/optim/lr_scheduler.py ReduceLROnPlateau.__init__ / step / _reduce_lr / _is_better /
 * _init_is_better (main, 2025). One param group; `lrs[0]` is the optimizer's lr and `lrs[k+1]`
 * the lr after `step(metrics[k])`.
 */
import type { Args } from '../args.js';
import { ScheduleError, pyRepr } from '../errors.js';

export interface PlateauParams {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  threshold_mode: 'rel' | 'abs';
  cooldown: number;
  min_lr: number;
  eps: number;
}

export function parsePlateau(a: Args): PlateauParams {
  const factor = a.num('factor', 0.1);
  if (factor >= 1.0) throw new ScheduleError(a.at('factor'), 'Factor should be < 1.0.');
  let min_lr: number;
  const raw = a.raw('min_lr');
  if (Array.isArray(raw)) {
    const list = a.numList('min_lr');
    if (list.length !== 1) throw new ScheduleError(a.at('min_lr'), `expected 1 min_lrs, got ${list.length}`);
    min_lr = list[0];
  } else {
    min_lr = a.num('min_lr', 0);
  }
  const patience = a.num('patience', 10);
  const cooldown = a.num('cooldown', 0);
  const eps = a.num('eps', 1e-8);
  const mode = a.str('mode', 'min');
  const threshold = a.num('threshold', 1e-4);
  const threshold_mode = a.str('threshold_mode', 'rel');
  if (mode !== 'min' && mode !== 'max') throw new ScheduleError(a.at('mode'), `mode ${pyRepr(mode)} is unknown!`);
  if (threshold_mode !== 'rel' && threshold_mode !== 'abs') {
    throw new ScheduleError(a.at('threshold_mode'), `threshold mode ${pyRepr(threshold_mode)} is unknown!`);
  }
  return { mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps };
}

// torch/optim/lr_scheduler.py ReduceLROnPlateau._is_better
function isBetter(p: PlateauParams, a: number, best: number): boolean {
  if (p.mode === 'min' && p.threshold_mode === 'rel') return a < best * (1.0 - p.threshold);
  if (p.mode === 'min' && p.threshold_mode === 'abs') return a < best - p.threshold;
  if (p.mode === 'max' && p.threshold_mode === 'rel') return a > best * (p.threshold + 1.0);
  return a > best + p.threshold;
}

// torch/optim/lr_scheduler.py ReduceLROnPlateau.step / _reduce_lr (one param group)
export class PlateauState {
  lr: number;
  private best: number;
  private num_bad_epochs = 0;
  private cooldown_counter = 0;

  constructor(
    private readonly p: PlateauParams,
    lr0: number,
  ) {
    this.lr = lr0;
    this.best = p.mode === 'min' ? Infinity : -Infinity;
  }

  step(current: number): void {
    const p = this.p;
    if (isBetter(p, current, this.best)) {
      this.best = current;
      this.num_bad_epochs = 0;
    } else {
      this.num_bad_epochs += 1;
    }
    if (this.cooldown_counter > 0) {
      this.cooldown_counter -= 1;
      this.num_bad_epochs = 0; // ignore any bad epochs in cooldown
    }
    if (this.num_bad_epochs > p.patience) {
      const old_lr = this.lr;
      const new_lr = Math.max(old_lr * p.factor, p.min_lr);
      if (old_lr - new_lr > p.eps) this.lr = new_lr;
      this.cooldown_counter = p.cooldown;
      this.num_bad_epochs = 0;
    }
  }
}
