/**
 * What curve analyses, range tests and sweep sessions answer about suggestion methods and
 * emulations: a method's pick with the window it read and the trimming it applied, and an
 * emulated library's run (its recorded LRs and losses, how many points it recorded, why it
 * stopped). Losses keep NaN / +Infinity / -Infinity apart as the strings "NaN", "Infinity",
 * "-Infinity" (JSON has no NaN); null is a non-finite value of unknown kind.
 */
import Type, { type Static } from 'typebox';
import type { EmulationResult } from '../lrfinder/emulate/index.js';
import { encodeLoss, NON_FINITE_WIRE, type LossValue, type WireLoss as WireLossValue } from '../lrfinder/losses.js';
import type { MethodPick as LibraryPick } from '../lrfinder/suggest/pick.js';
import type { MethodName } from '../lrfinder/suggest/registry.js';
import type { CurveWarning } from '../lrfinder/warnings.js';
import { FiniteOrNull, StringEnum } from './common.js';
import { emulateEcho } from './emulate.js';

/** A loss on the wire: a number, "NaN", "Infinity", "-Infinity", or null (non-finite, kind unknown). */
export const WireLoss = Type.Union([Type.Number(), StringEnum(NON_FINITE_WIRE), Type.Null()], {
  description:
    'a number, or "NaN", "Infinity", "-Infinity" (JSON has no NaN); null: non-finite of unknown kind (read as NaN where a library is reproduced)',
});

const Window = Type.Object(
  { start: Type.Integer(), end: Type.Integer() },
  { additionalProperties: false, description: 'the half-open window [start, end) of the curve the method read' },
);

export const MethodPick = Type.Object(
  {
    lr: FiniteOrNull,
    index: Type.Union([Type.Integer(), Type.Null()], {
      description: "the index into the curve's lrs / losses (the library's own)",
    }),
    reason: Type.Optional(Type.String({ description: 'why there is no pick' })),
    origin: Type.String({ description: 'the library the method comes from (lr-finder: ours)' }),
    window: Window,
    trim: Type.Object(
      {
        skip_start: Type.Integer(),
        skip_end: Type.Integer(),
        source: StringEnum(['library', 'request'] as const, {
          description:
            "library: the method's own library's default trimming; request: skip_start / skip_end of the request",
        }),
        cut_at: Type.Union([Type.Integer(), Type.Null()], {
          description: 'where the window was cut before a non-finite loss (null: not cut)',
        }),
      },
      { additionalProperties: false, description: 'the trimming applied' },
    ),
    warnings: Type.Array(Type.Ref('Warning')),
  },
  { $id: 'MethodPick', additionalProperties: false },
);
export type MethodPick = Static<typeof MethodPick>;

/** The picked method in short: what `suggestion` holds. */
export interface SuggestionWire {
  method: string;
  lr: number | null;
  index: number | null;
  reason?: string;
}

export const EMULATION_STOP_REASONS = ['completed', 'diverged', 'non_finite', 'exhausted'] as const;

export const Emulation = Type.Object(
  {
    library: Type.String(),
    options: Type.Ref('EmulateOptions', { description: "the library's arguments, its defaults filled" }),
    iterations: Type.Integer({ description: 'how many points the library would have recorded' }),
    stop_reason: StringEnum(EMULATION_STOP_REASONS, {
      description:
        'why the library would have stopped: completed (its plan ran out), diverged (its stop rule), non_finite (keras: a NaN), ' +
        'exhausted (the losses ran out first: the picks are those of a run cut short)',
    }),
    lrs: Type.Array(Type.Number(), {
      description: 'the LR the library recorded for each point (the picks index these)',
    }),
    losses: Type.Array(WireLoss, {
      description: 'what the library recorded: its smoothed loss (keras_lr_finder: the raw one)',
    }),
    raw_losses: Type.Array(WireLoss, { description: 'the raw losses it read' }),
    warnings: Type.Array(Type.Ref('Warning')),
  },
  { $id: 'Emulation', additionalProperties: false, description: "the emulated library's run" },
);
export type Emulation = Static<typeof Emulation>;

export function wirePick(p: LibraryPick): MethodPick {
  return {
    lr: p.lr,
    index: p.index,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    origin: p.origin,
    window: { start: p.window.start, end: p.window.end },
    trim: { skip_start: p.trim.skip_start, skip_end: p.trim.skip_end, source: p.trim.source, cut_at: p.trim.cut_at },
    warnings: p.warnings.map(wireWarning),
  };
}

export function wirePicks(ps: Partial<Record<MethodName, LibraryPick>>): Record<string, MethodPick> {
  const out: Record<string, MethodPick> = {};
  for (const [m, p] of Object.entries(ps)) if (p) out[m] = wirePick(p);
  return out;
}

export function wireSuggestion(p: LibraryPick): SuggestionWire {
  return p.lr === null
    ? { method: p.method, lr: null, index: null, reason: p.reason ?? `${p.method}: no suggestion` }
    : { method: p.method, lr: p.lr, index: p.index };
}

export function wireWarning(w: CurveWarning): CurveWarning {
  return w.iteration === undefined
    ? { code: w.code, message: w.message }
    : { code: w.code, message: w.message, iteration: w.iteration };
}

export const wireLosses = (vs: readonly LossValue[]): WireLossValue[] => vs.map(encodeLoss);

export function wireEmulation(r: EmulationResult): Emulation {
  return {
    library: r.library,
    options: emulateEcho(r.options),
    iterations: r.iterations,
    stop_reason: r.stop_reason,
    lrs: [...r.lrs],
    losses: wireLosses(r.losses),
    raw_losses: wireLosses(r.raw_losses),
    warnings: r.warnings.map(wireWarning),
  };
}
