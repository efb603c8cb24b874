/**
 * A sweep session's request resolved (pure): torch-lr-finder's arguments as for a range test,
 * the parameter groups, the cap on skipped steps in a row, and `emulate` with every argument of
 * the library filled; then what the session state machine (src/lrfinder/session.ts) reads.
 */
import type { Limits } from '../../config.js';
import { resolveEmulate, type EmulateOptions } from '../../contracts/emulate.js';
import { RANGE_TEST_DEFAULTS } from '../../contracts/lr-range-test.js';
import { invalid } from '../../contracts/problems.js';
import { resolveSweep, type ResolvedSweep } from '../../contracts/resolve.js';
import { LIBRARIES } from '../../lrfinder/emulate/index.js';
import { SERVICE_DEFAULTS } from '../../lrfinder/defaults.js';
import {
  checkSweepOptions,
  type ParamGroup,
  type SweepAnalysisOptions,
  type SweepOptions,
} from '../../lrfinder/session.js';
import { METHOD_NAMES } from '../../lrfinder/suggest/registry.js';
import type { SweepSessionRequest } from './contract.js';

/** The session's request with every default filled: what it echoes and what it runs on. */
export interface ResolvedSweepSession extends ResolvedSweep {
  sma?: number;
  param_groups?: ParamGroup[];
  /** absent in sessions stored before it: the default (20) */
  max_skipped_steps?: number;
  /** the emulated library, every argument filled */
  emulate?: EmulateOptions;
}

/** torch-lr-finder's arguments resolved as for a range test, the session's own fields, then the state machine's checks.
 * */
export function resolveSweepSession(b: SweepSessionRequest, limits: Limits): ResolvedSweepSession {
  const r: ResolvedSweepSession = {
    ...resolveSweep(b, limits),
    max_skipped_steps: b.max_skipped_steps ?? SERVICE_DEFAULTS.max_skipped_steps,
  };
  if (b.sma !== undefined) r.sma = b.sma;
  if (b.param_groups !== undefined) {
    const seen = new Set<string>();
    b.param_groups.forEach((g, k) => {
      if (seen.has(g.name))
        throw invalid(`/param_groups/${k}/name`, `"${g.name}" names two groups; names must be unique`);
      seen.add(g.name);
    });
    r.param_groups = b.param_groups.map((g) => ({ name: g.name, lr_mult: g.lr_mult }));
  }
  if (b.emulate !== undefined) {
    // the request's own plan arguments are the library's (in its meaning) where `emulate` does not set them
    const em = resolveEmulate(b.emulate, {
      pointer: '/emulate',
      fill: {
        start_lr: b.start_lr,
        end_lr: b.end_lr,
        num_iter: b.num_iter ?? RANGE_TEST_DEFAULTS.num_iter,
        step_mode: b.step_mode,
        smooth_f: b.smooth_f,
        diverge_th: b.diverge_th,
      },
      maxNumIter: limits.numIter,
    });
    r.emulate = em.echo;
    // the top-level plan fields echo the library's (a re-sent request runs the same)
    r.start_lr = em.resolved.start_lr;
    r.end_lr = em.resolved.end_lr;
    r.num_iter = em.resolved.num_iter as number;
    r.step_mode = em.resolved.step_mode;
    r.suggestion = b.suggestion ?? LIBRARIES[em.resolved.library].methods[0];
  }
  try {
    checkSweepOptions(sweepOptionsOf(r));
  } catch (err) {
    throw invalid('/', (err as Error).message);
  }
  return r;
}

/** What the session state machine reads: the range test's options, the groups, the cap, and the emulation with its
 * analysis. */
export function sweepOptionsOf(r: ResolvedSweepSession): SweepOptions & SweepAnalysisOptions {
  const analysis = {
    suggestion: r.suggestion,
    methods: METHOD_NAMES,
    skip_start: r.skip_start,
    skip_end: r.skip_end,
    sma: r.sma,
  };
  let emulate: SweepOptions['emulate'] = null;
  if (r.emulate !== undefined) {
    const { library, ...options } = r.emulate;
    emulate = { library, options, analysis };
  }
  return {
    start_lr: r.start_lr,
    end_lr: r.end_lr,
    num_iter: r.num_iter,
    step_mode: r.step_mode,
    smooth_f: r.smooth_f,
    diverge_th: r.diverge_th,
    ...analysis,
    param_groups: r.param_groups,
    max_skipped_steps: r.max_skipped_steps,
    emulate,
  };
}
