/**
 * The name table: every accepted `type` → the library whose semantics it follows.
 * PyTorch class names, transformers `lr_scheduler_type` names and function names, optax function names.
 */
import { HF_FUNCTIONS, HF_NAMES } from './hf.js';
import { OPTAX_BUILDERS } from './optax/build.js';
import { TORCH_TYPES } from './torch/build.js';

export type ScheduleFamily = 'pytorch' | 'transformers' | 'optax';

export const SCHEDULE_TYPES: Readonly<Record<string, ScheduleFamily>> = Object.freeze({
  ...Object.fromEntries(TORCH_TYPES.map((t) => [t, 'pytorch' as const])),
  ...Object.fromEntries(Object.keys(HF_NAMES).map((t) => [t, 'transformers' as const])),
  ...Object.fromEntries(HF_FUNCTIONS.map((t) => [t, 'transformers' as const])),
  ...Object.fromEntries(Object.keys(OPTAX_BUILDERS).map((t) => [t, 'optax' as const])),
});

/** For transformers `lr_scheduler_type` names: the function `get_scheduler` calls. */
export const TRANSFORMERS_FUNCTION_OF: Readonly<Record<string, string>> = HF_NAMES;
