/**
 * `emulate` on curve analyses, range tests and sweep sessions: a library's whole pipeline (its LR
 * plan, smoothing, stop rule, trimming and methods, src/lrfinder/emulate/) with that library's
 * own arguments, in the service's vocabulary (torch-lr-finder's names). The request names the
 * library, as a string or as an object with its arguments; resolution fills the library's
 * defaults and checks what the library itself would reject (a 400 naming the field).
 *
 * Which argument each library has (anything else is a 400, never silently ignored):
 *
 * | argument        | fastai `lr_find`    | torch-lr-finder      | Lightning `lr_find`        | keras_lr_finder       | ignite `attach`   |
 * |-----------------|---------------------|----------------------|----------------------------|-----------------------|-------------------|
 * | start_lr        | start_lr (1e-7)     | start_lr (1e-7)      | min_lr (1e-8)              | start_lr (1e-7)       | start_lr (1e-7)   |
 * | end_lr          | end_lr (10)         | end_lr (10)          | max_lr (1)                 | end_lr (10)           | end_lr (10)       |
 * | num_iter        | num_it (100)        | num_iter (100)       | num_training (100)         | batches (one per loss)| num_iter (None)   |
 * | step_mode       | "exp" only          | step_mode (exp)      | mode (exponential)         | "exp" only            | step_mode (exp)   |
 * | smooth_f        | —                   | smooth_f (0.05)      | —                          | —                     | smooth_f (0.05)   |
 * | beta            | Recorder beta (0.98)| —                    | _LRCallback beta (0.98)    | —                     | —                 |
 * | diverge_th      | 4; null: stop_div=False | diverge_th (5)   | early_stop_threshold (4; null) | 4 (its `* 4`)     | diverge_th (5)    |
 * | global_step     | —                   | —                    | trainer.global_step (0)    | —                     | —                 |
 * | steps_per_epoch | —                   | —                    | —                          | batches per epoch     | —                 |
 */
import Type, { type Static } from 'typebox';
import { resolveEmulation, type EmulationOptions, type ResolvedEmulation } from '../lrfinder/emulate/index.js';
import { LIBRARY_NAMES, type LibraryName } from '../lrfinder/suggest/registry.js';
import { RefOf, StringEnum } from './common.js';
import { invalid, limitExceeded } from './problems.js';

export const EmulateOptions = Type.Object(
  {
    library: StringEnum(LIBRARY_NAMES, { description: 'the library whose pipeline to reproduce' }),
    start_lr: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1e6,
        description:
          'the first LR: fastai / torch-lr-finder / keras / ignite `start_lr` (1e-7), Lightning `min_lr` (1e-8)',
      }),
    ),
    end_lr: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1e6,
        description: 'fastai / torch-lr-finder / keras / ignite `end_lr` (10), Lightning `max_lr` (1)',
      }),
    ),
    num_iter: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()], {
        description:
          'fastai `num_it`, torch-lr-finder `num_iter`, Lightning `num_training` (100 each); keras: the number of batches, ' +
          'ignite `num_iter` (null: one per loss given; range tests and sweep sessions need a number, default 100)',
      }),
    ),
    step_mode: Type.Optional(
      StringEnum(['exp', 'linear'] as const, {
        description:
          'torch-lr-finder / ignite `step_mode`, Lightning `mode` ("exp" is "exponential"); fastai and keras are "exp" only',
      }),
    ),
    smooth_f: Type.Optional(
      Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'torch-lr-finder / ignite `smooth_f` (0.05)' }),
    ),
    beta: Type.Optional(
      Type.Number({
        minimum: 0,
        exclusiveMaximum: 1,
        description: 'fastai `Recorder(beta)`, Lightning `_LRCallback(beta)` (0.98)',
      }),
    ),
    diverge_th: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1e6 }), Type.Null()], {
        description:
          'the stop factor: fastai 4 (null: `stop_div=False`), torch-lr-finder / ignite `diverge_th` (5), ' +
          'Lightning `early_stop_threshold` (4; null: None), keras 4',
      }),
    ),
    global_step: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000_000,
        description: 'Lightning: `trainer.global_step` when lr_find starts (0; > 0 reproduces Lightning #4846)',
      }),
    ),
    steps_per_epoch: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), Type.Null()], {
        description: 'keras: batches per epoch (its stop rule counts `batch` within the epoch); null: one epoch',
      }),
    ),
  },
  {
    $id: 'EmulateOptions',
    additionalProperties: false,
    description: "a library and its own arguments (the library's defaults fill the rest)",
    example: { library: 'fastai', num_iter: 100 },
  },
);
export type EmulateOptions = Static<typeof EmulateOptions>;

/** `emulate`: the library's name, or the library with its arguments. */
export const Emulate = Type.Union([StringEnum(LIBRARY_NAMES), RefOf(EmulateOptions)], {
  description:
    'reproduce a library\'s whole pipeline: `"fastai"`, `"torch-lr-finder"`, `"lightning"`, `"keras-lr-finder"`, `"ignite"`, ' +
    'or `{library, ...its arguments}` (EmulateOptions)',
});
export type Emulate = LibraryName | EmulateOptions;

type OptionKey = Exclude<keyof EmulateOptions, 'library'>;

/** The arguments each library has. */
export const LIBRARY_ARGUMENTS: Readonly<Record<LibraryName, readonly OptionKey[]>> = Object.freeze({
  fastai: ['start_lr', 'end_lr', 'num_iter', 'step_mode', 'beta', 'diverge_th'],
  'torch-lr-finder': ['start_lr', 'end_lr', 'num_iter', 'step_mode', 'smooth_f', 'diverge_th'],
  lightning: ['start_lr', 'end_lr', 'num_iter', 'step_mode', 'beta', 'diverge_th', 'global_step'],
  'keras-lr-finder': ['start_lr', 'end_lr', 'num_iter', 'step_mode', 'diverge_th', 'steps_per_epoch'],
  ignite: ['start_lr', 'end_lr', 'num_iter', 'step_mode', 'smooth_f', 'diverge_th'],
});

/** The top-level fields of a request that read as the library's arguments when `emulate` does not set them. */
export type EmulateFill = Partial<Record<OptionKey, number | string | null | undefined>>;

export interface ResolvedEmulate {
  /** every argument of the library, filled (what the request echoes; re-sending it runs the same) */
  echo: EmulateOptions;
  /** the emulation's options (src/lrfinder/emulate) */
  options: EmulationOptions;
  resolved: ResolvedEmulation;
}

export interface EmulateContext {
  /** JSON pointer of the `emulate` field */
  pointer: string;
  /** the request's own fields that fill arguments `emulate` leaves out (only fields the caller sent) */
  fill?: EmulateFill;
  /** range tests and sweep sessions plan ahead: num_iter must be a number (2 … this, LIMIT_NUM_ITER) and end_lr >
   * start_lr */
  maxNumIter?: number;
}

/** The library's name or object → its arguments, the library's defaults, its own checks; throws 400 problems. */
export function resolveEmulate(raw: Emulate, ctx: EmulateContext): ResolvedEmulate {
  const given: EmulateOptions = typeof raw === 'string' ? { library: raw } : raw;
  const library = given.library;
  const keys = LIBRARY_ARGUMENTS[library];
  const options: Record<string, unknown> = {};
  for (const k of keys) {
    const v = ctx.fill?.[k];
    if (v !== undefined) options[k] = v;
  }
  for (const [k, v] of Object.entries(given)) {
    if (k === 'library' || v === undefined) continue;
    if (!(keys as readonly string[]).includes(k)) {
      throw invalid(`${ctx.pointer}/${k}`, `${library} has no ${k}; its arguments are ${keys.join(', ')}`);
    }
    options[k] = v;
  }
  let resolved: ResolvedEmulation;
  try {
    resolved = resolveEmulation(library, options as EmulationOptions);
  } catch (err) {
    throw invalid(ctx.pointer, (err as Error).message);
  }
  if (ctx.maxNumIter !== undefined) {
    if (resolved.num_iter === null) {
      throw invalid(
        `${ctx.pointer}/num_iter`,
        `${library}: this request plans its LRs ahead, so num_iter must be a number of steps`,
      );
    }
    if (resolved.num_iter < 2)
      throw invalid(`${ctx.pointer}/num_iter`, `a range test needs at least 2 steps, got ${resolved.num_iter}`);
    if (resolved.num_iter > ctx.maxNumIter) {
      throw limitExceeded(`${ctx.pointer}/num_iter`, 'num_iter', resolved.num_iter, ctx.maxNumIter, 'LIMIT_NUM_ITER');
    }
    if (!(resolved.end_lr > resolved.start_lr)) {
      throw invalid(
        `${ctx.pointer}/end_lr`,
        `must be greater than start_lr (${resolved.start_lr}), got ${resolved.end_lr}`,
      );
    }
  }
  return { echo: emulateEcho(resolved), options: options as EmulationOptions, resolved };
}

/** The library's arguments of a resolved emulation (the wire form of its options). */
export function emulateEcho(
  o: Pick<ResolvedEmulation, 'library'> & Omit<Partial<ResolvedEmulation>, 'library'>,
): EmulateOptions {
  const out: Record<string, unknown> = { library: o.library };
  for (const k of LIBRARY_ARGUMENTS[o.library]) out[k] = (o as Record<string, unknown>)[k];
  return out as EmulateOptions;
}
