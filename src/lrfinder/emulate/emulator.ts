/**
 * A library's whole pipeline on RAW per-step losses: its LR plan, its smoothing, its stop rule
 * (how many points it would have recorded), its trimming and its methods — so the picks are the
 * library's, NaN artefacts included (./libraries.ts says which pieces each library chains).
 *
 * Two forms over one kernel (`advance`), so they agree bit for bit:
 * - incremental, for a sweep session driven one reported loss at a time: `startEmulation`,
 *   `emulationNext` (the LR to train the next step at), `emulationStep`, `finishEmulation`,
 *   `emulationResult`; the state is plain JSON (floats stored exactly, see ../losses.ts);
 * - batch: `emulate(library, losses, options)`.
 */
import {
  libraryFloat,
  loadFloat,
  loadLoss,
  storeFloat,
  storeLoss,
  type LossValue,
  type StoredFloat,
  type StoredLoss,
} from '../losses.js';
import { suggest, type MethodOptions, type MethodPick } from '../suggest/pick.js';
import type { LibraryName, MethodName } from '../suggest/registry.js';
import type { CurveWarning } from '../warnings.js';
import { LIBRARIES } from './libraries.js';
import { resolveEmulation, type EmulationOptions, type ResolvedEmulation } from './options.js';

/** `exhausted`: the losses ran out before the library would have stopped. */
export type EmulationStopReason = 'completed' | 'diverged' | 'non_finite' | 'exhausted';

export interface EmulationState {
  library: LibraryName;
  lrs: number[];
  raw_losses: StoredLoss[];
  /** what the library recorded (smoothed, except keras_lr_finder) */
  losses: StoredFloat[];
  smooth: { count: number; acc: StoredFloat };
  best: StoredFloat;
  stop_reason: EmulationStopReason | null;
}

interface Core {
  count: number;
  acc: number;
  best: number;
}

/** The most points the library records under these options (null: unbounded). */
export function emulationLimit(o: ResolvedEmulation): number | null {
  const m = LIBRARIES[o.library].plan.maxPoints(o);
  if (o.lrs === null) return m;
  return m === null ? o.lrs.length : Math.min(m, o.lrs.length);
}

function recordedLr(i: number, o: ResolvedEmulation): number {
  return o.lrs !== null ? o.lrs[i] : LIBRARIES[o.library].plan.recorded(i, o);
}

/** One point: smoothing, then the stop rule. */
function advance(
  core: Core,
  i: number,
  loss: LossValue,
  o: ResolvedEmulation,
): { core: Core; value: number; stop: EmulationStopReason | null } {
  const lib = LIBRARIES[o.library];
  const sm = lib.smoothing.step({ count: core.count, acc: core.acc }, libraryFloat(loss), o);
  const st = lib.stop.step(core.best, sm.value, i, o);
  const limit = emulationLimit(o);
  const stop: EmulationStopReason | null = st.stop ?? (limit !== null && i + 1 >= limit ? 'completed' : null);
  return { core: { count: sm.state.count, acc: sm.state.acc, best: st.best }, value: sm.value, stop };
}

export function startEmulation(o: ResolvedEmulation): EmulationState {
  const limit = emulationLimit(o);
  return {
    library: o.library,
    lrs: [],
    raw_losses: [],
    losses: [],
    smooth: { count: 0, acc: 0 },
    best: storeFloat(LIBRARIES[o.library].stop.initialBest),
    stop_reason: limit === 0 ? 'completed' : null,
  };
}

/** The next point: its index, the LR to train that step at, and the LR the library will record for it. */
export function emulationNext(
  s: EmulationState,
  o: ResolvedEmulation,
): { iteration: number; lr: number; recorded_lr: number } | null {
  if (s.stop_reason !== null) return null;
  const i = s.losses.length;
  const lr = o.lrs !== null ? o.lrs[i] : LIBRARIES[o.library].plan.applied(i, o);
  return { iteration: i, lr, recorded_lr: recordedLr(i, o) };
}

export function emulationStep(s: EmulationState, o: ResolvedEmulation, loss: LossValue): EmulationState {
  if (s.stop_reason !== null) throw new RangeError(`the emulated ${s.library} run already stopped (${s.stop_reason})`);
  const i = s.losses.length;
  const r = advance({ count: s.smooth.count, acc: loadFloat(s.smooth.acc), best: loadFloat(s.best) }, i, loss, o);
  return {
    library: s.library,
    lrs: [...s.lrs, recordedLr(i, o)],
    raw_losses: [...s.raw_losses, storeLoss(loss)],
    losses: [...s.losses, storeFloat(r.value)],
    smooth: { count: r.core.count, acc: storeFloat(r.core.acc) },
    best: storeFloat(r.core.best),
    stop_reason: r.stop,
  };
}

/** How a run that got no more losses after `n` points ends: `completed` when the library's run could end there, else
 * `exhausted`. */
function endOfLosses(o: ResolvedEmulation, n: number): EmulationStopReason {
  const limit = emulationLimit(o);
  if (limit === null) return 'completed';
  const at = LIBRARIES[o.library].plan.completeAt?.(o) ?? limit;
  return at !== null && n >= Math.min(at, limit) ? 'completed' : 'exhausted';
}

/** No more losses will come: a running emulation ends (see endOfLosses). */
export function finishEmulation(s: EmulationState, o: ResolvedEmulation): EmulationState {
  if (s.stop_reason !== null) return s;
  return { ...s, stop_reason: endOfLosses(o, s.losses.length) };
}

export interface EmulationAnalysisOptions {
  /** the method whose pick is `suggestion` (default: the library's default) */
  suggestion?: MethodName;
  /** methods to run (default: the library's) */
  methods?: readonly MethodName[];
  skip_start?: number;
  skip_end?: number;
  sma?: number;
  slide?: MethodOptions['slide'];
}

export interface EmulationResult {
  library: LibraryName;
  options: Omit<ResolvedEmulation, 'lrs' | 'data_length'>;
  lrs: number[];
  raw_losses: LossValue[];
  /** what the library recorded: its smoothed losses (keras_lr_finder: the raw ones); NaN/±Infinity as they are */
  losses: number[];
  /** how many points the library would have recorded */
  iterations: number;
  stop_reason: EmulationStopReason;
  suggestion: MethodPick;
  suggestions: Partial<Record<MethodName, MethodPick>>;
  warnings: CurveWarning[];
}

function analyse(
  o: ResolvedEmulation,
  lrs: number[],
  raw: LossValue[],
  recorded: number[],
  stop: EmulationStopReason,
  given: number,
  a: EmulationAnalysisOptions,
): EmulationResult {
  const lib = LIBRARIES[o.library];
  const chosen = a.suggestion ?? lib.methods[0];
  const names = Array.from(new Set([...(a.methods ?? lib.methods), chosen]));
  const mo: MethodOptions = {
    num_it: o.num_iter ?? recorded.length,
    skip_start: a.skip_start,
    skip_end: a.skip_end,
    sma: a.sma,
    slide: a.slide,
    non_finite: 'library',
  };
  const suggestions: Partial<Record<MethodName, MethodPick>> = {};
  for (const m of names) suggestions[m] = suggest(m, { lrs, losses: recorded, raw_losses: raw }, mo);
  const warnings: CurveWarning[] = [];
  const unknown = raw.filter((v) => v === null).length;
  if (unknown > 0) {
    warnings.push({
      code: 'unknown_non_finite_read_as_nan',
      message: `${unknown} loss(es) are null (non-finite, kind unknown) and were fed to ${o.library} as NaN; send "NaN", "Infinity" or "-Infinity" to reproduce it exactly`,
    });
  }
  if (given > recorded.length) {
    warnings.push({
      code: 'losses_not_recorded',
      message: `${o.library} would have stopped (${stop}) after ${recorded.length} points; the ${given - recorded.length} loss(es) after that were not read`,
      iteration: recorded.length - 1,
    });
  }
  if (stop === 'exhausted') {
    warnings.push({
      code: 'losses_exhausted',
      message: `${o.library} would have run ${emulationLimit(o)} points; only ${recorded.length} losses were given, so the picks are those of a run cut short`,
    });
  }
  const { lrs: _lrs, data_length: _n, ...options } = o;
  return {
    library: o.library,
    options,
    lrs,
    raw_losses: raw,
    losses: recorded,
    iterations: recorded.length,
    stop_reason: stop,
    suggestion: suggestions[chosen] as MethodPick,
    suggestions,
    warnings,
  };
}

/** The result of an incremental emulation (finished or not: a running one reads as `exhausted`). */
export function emulationResult(
  s: EmulationState,
  o: ResolvedEmulation,
  a: EmulationAnalysisOptions = {},
): EmulationResult {
  const f = finishEmulation(s, o);
  return analyse(
    o,
    [...f.lrs],
    f.raw_losses.map(loadLoss),
    f.losses.map(loadFloat),
    f.stop_reason as EmulationStopReason,
    f.losses.length,
    a,
  );
}

/** The batch form: the library's pipeline on every given raw loss (fed until the library stops). */
export function emulate(
  library: LibraryName,
  rawLosses: readonly LossValue[],
  options: EmulationOptions = {},
  a: EmulationAnalysisOptions = {},
): EmulationResult {
  const o = { ...resolveEmulation(library, options), data_length: rawLosses.length };
  const limit = emulationLimit(o);
  let core: Core = { count: 0, acc: 0, best: LIBRARIES[library].stop.initialBest };
  const lrs: number[] = [];
  const raw: LossValue[] = [];
  const recorded: number[] = [];
  let stop: EmulationStopReason | null = limit === 0 ? 'completed' : null;
  for (let i = 0; stop === null && i < rawLosses.length; i++) {
    const r = advance(core, i, rawLosses[i], o);
    core = r.core;
    lrs.push(recordedLr(i, o));
    raw.push(rawLosses[i]);
    recorded.push(r.value);
    stop = r.stop;
  }
  if (stop === null) stop = endOfLosses(o, recorded.length);
  return analyse(o, lrs, raw, recorded, stop, rawLosses.length, a);
}

/** A library's trimming and methods on a curve it RECORDED (smoothed by the library already). */
export function emulateRecorded(
  library: LibraryName,
  curve: { lrs: readonly number[]; losses: readonly LossValue[] },
  a: EmulationAnalysisOptions & { num_it?: number } = {},
): { suggestion: MethodPick; suggestions: Partial<Record<MethodName, MethodPick>> } {
  const lib = LIBRARIES[library];
  const chosen = a.suggestion ?? lib.methods[0];
  const names = Array.from(new Set([...(a.methods ?? lib.methods), chosen]));
  const mo: MethodOptions = {
    num_it: a.num_it,
    skip_start: a.skip_start,
    skip_end: a.skip_end,
    sma: a.sma,
    slide: a.slide,
    non_finite: 'library',
  };
  const suggestions: Partial<Record<MethodName, MethodPick>> = {};
  for (const m of names) suggestions[m] = suggest(m, curve, mo);
  return { suggestion: suggestions[chosen] as MethodPick, suggestions };
}
