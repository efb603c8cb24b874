/**
 * LR schedules of PyTorch, transformers and optax, simulated exactly (pure TypeScript, no I/O).
 * See docs/schedules.md for the spec format.
 */
export { simulateSchedule, type SimulateOptions, type SimulateResult } from './simulate.js';
export { openSchedule, usesMetrics, type ScheduleRunner } from './runner.js';
export { parseSchedule, parseScheduleShape, withUnitLr, type ParsedSchedule } from './parse.js';
export { ScheduleError, type PyException } from './errors.js';
export { SCHEDULE_TYPES, TRANSFORMERS_FUNCTION_OF, type ScheduleFamily } from './table.js';
export type * from './types.js';
