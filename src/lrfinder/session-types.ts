/** The sweep session's state and options (./session.ts runs it, ./session-result.ts reads it). */
import {
  resolveEmulation,
  type EmulationAnalysisOptions,
  type EmulationOptions,
  type EmulationState,
  type ResolvedEmulation,
} from './emulate/index.js';
import type { RangeTestOptions, RangeTestOutcome } from './range-test.js';
import type { LibraryName } from './suggest/registry.js';

/** `stopped_by_client`: the client ended the session early (POST .../stop). */
export type SweepStopReason = RangeTestOutcome['stop_reason'] | 'stopped_by_client';

export interface SweepState {
  /** raw losses of the recorded points, null where non-finite (an emulating session keeps each kind in
   * emulation.raw_losses) */
  losses: (number | null)[];
  /** torch-lr-finder EMA per iteration; null on the non-finite stopping point */
  smoothed_losses: (number | null)[];
  /** best smoothed loss so far; null while no finite point was recorded */
  best: number | null;
  /** null while running */
  stop_reason: SweepStopReason | null;
  /** reports received, skipped ones included (= the next iteration); absent in sessions stored before skipped reports:
   * = losses.length */
  reports?: number;
  /** iterations reported as skipped (GradScaler) */
  skipped?: number[];
  /** the emulated library's state, when the session emulates one */
  emulation?: EmulationState;
}

/** A parameter group of the client's optimizer: its LR is the plan's LR × lr_mult. */
export interface ParamGroup {
  name: string;
  lr_mult: number;
}

export interface SweepEmulation {
  library: LibraryName;
  /** the library's options the request set (the library's defaults fill the rest, ./emulate/options.ts) */
  options?: EmulationOptions;
  /** which methods, which pick, and trimming overrides (default: the library's own) */
  analysis?: EmulationAnalysisOptions;
}

/** What a sweep session adds to the range test's options. */
export interface SweepExtras {
  param_groups?: readonly ParamGroup[];
  emulate?: SweepEmulation | null;
  /**
   * The service's pipeline: more GradScaler-skipped reports than this in a row stop the session
   * as `non_finite` (default 20; an emulating session records skipped steps, as the libraries do,
   * and has no such cap)
   */
  max_skipped_steps?: number;
}

export type SweepOptions = RangeTestOptions & SweepExtras;

export const MAX_PARAM_GROUPS = 64;

export function checkParamGroups(groups: readonly ParamGroup[] | undefined): void {
  if (groups === undefined) return;
  if (groups.length > MAX_PARAM_GROUPS)
    throw new RangeError(`param_groups: at most ${MAX_PARAM_GROUPS} groups, got ${groups.length}`);
  const seen = new Set<string>();
  groups.forEach((g, k) => {
    if (typeof g.name !== 'string' || g.name.length === 0)
      throw new RangeError(`param_groups[${k}].name must be a non-empty string`);
    if (seen.has(g.name)) throw new RangeError(`param_groups[${k}].name "${g.name}" is used twice`);
    seen.add(g.name);
    if (!(g.lr_mult > 0) || !Number.isFinite(g.lr_mult))
      throw new RangeError(`param_groups[${k}].lr_mult must be a finite number > 0, got ${g.lr_mult}`);
  });
}

/** The emulated library's resolved options (RangeError on options the library rejects). */
export function sweepEmulation(opts: SweepExtras): ResolvedEmulation | null {
  if (!opts.emulate) return null;
  const o = resolveEmulation(opts.emulate.library, opts.emulate.options);
  if ((o.library === 'ignite' || o.library === 'keras-lr-finder') && o.num_iter === null && o.lrs === null) {
    throw new RangeError(
      `${o.library}: a sweep session plans its LRs ahead, so it needs num_iter (the number of steps)`,
    );
  }
  return o;
}

/** Reports received so far (skipped ones included): the next iteration. */
export const reportsOf = (s: SweepState): number => s.reports ?? s.losses.length;

/** How many reports in a row, ending with the last one, were skipped (0 when the last was a point). */
export function trailingSkips(s: SweepState): number {
  const skipped = s.skipped ?? [];
  let k = 0;
  for (let it = reportsOf(s) - 1, j = skipped.length - 1; j >= 0 && skipped[j] === it; it--, j--) k++;
  return k;
}

export const endsWithSkip = (s: SweepState): boolean => trailingSkips(s) > 0;
