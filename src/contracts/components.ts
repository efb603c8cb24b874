/**
 * The component schemas every job kind and route may reference by `$id`, in dependency order. The
 * API registers them with the kinds' and the routes' own (src/api/schemas.ts); the worker
 * validates results against them.
 */
import { BackendUsed } from './backend.js';
import { Problem, ProblemFieldError } from './common.js';
import { Data } from './data.js';
import { Progress } from './job.js';
import { EmulateOptions } from './emulate.js';
import { LayerSeries, Warning } from './lr-range-test.js';
import { Init, Layer, Loss, Model } from './model.js';
import { Optimizer } from './optimizer.js';
import { Emulation, MethodPick } from './picks.js';
import { ScheduleSpec } from './schedules.js';

export const COMMON_SCHEMAS = [
  ProblemFieldError,
  Problem,
  Init,
  Layer,
  Model,
  Data,
  Loss,
  Optimizer,
  Progress,
  Warning,
  LayerSeries,
  ScheduleSpec,
  EmulateOptions,
  MethodPick,
  Emulation,
  BackendUsed,
];
