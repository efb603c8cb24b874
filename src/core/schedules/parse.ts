/**
 * A schedule from the wire (JSON) parsed once into the typed spec the simulator and the training
 * loops take: checked by constructing its scheduler, so every argument is checked as the library
 * itself checks it (a ScheduleError with the library's message otherwise).
 */
import { isObject } from './args.js';
import { openJson, type ScheduleRunner } from './runner.js';
import { SCHEDULE_TYPES } from './table.js';
import { own } from '../own.js';
import type { OptaxScheduleSpec, ScheduleSpec } from './types.js';

export interface ParsedSchedule {
  /** the spec as sent, now known to be a valid ScheduleSpec */
  spec: ScheduleSpec;
  /** the scheduler that checked it, ready for its first step */
  runner: ScheduleRunner;
}

/** Parses a schedule as sent (`{type, lr, ...keyword arguments}`); throws ScheduleError. */
export function parseSchedule(raw: unknown): ParsedSchedule {
  const runner = openJson(raw);
  // constructing it checked every field the spec's type declares
  return { spec: raw as ScheduleSpec, runner };
}

/** PyTorch and transformers schedules need a base LR; optax schedules carry their own values. */
function needsLr(raw: { type?: unknown }): boolean {
  return typeof raw.type !== 'string' || own(SCHEDULE_TYPES, raw.type) !== 'optax';
}

/**
 * Parses a schedule whose base LR does not matter because only its shape is used (the LR search
 * scales it to each candidate): `lr` may be omitted, and is then 1 (for optax, which takes none,
 * the spec as sent).
 */
export function parseScheduleShape(raw: unknown): ParsedSchedule {
  return parseSchedule(isObject(raw) && raw.lr === undefined && needsLr(raw) ? { ...raw, lr: 1 } : raw);
}

function isOptax(spec: ScheduleSpec): spec is OptaxScheduleSpec {
  return !needsLr(spec);
}

/** A typed spec with base LR 1 when it has none (see parseScheduleShape). */
export function withUnitLr(spec: ScheduleSpec): ScheduleSpec {
  if (isOptax(spec) || ('lr' in spec && spec.lr !== undefined)) return spec;
  return { ...spec, lr: 1 };
}
