/**
 * The optimizer on the wire, built from the optimizer registry (src/core/optimizers/registry.ts):
 * its names, its default, and the arguments its modules take, each bounded once here.
 */
import Type from 'typebox';
import { StringEnum } from './common.js';
import { DEFAULT_OPTIMIZER, OPTIMIZER_NAMES, optimizerModules } from '../core/optimizers/index.js';
import type { OptimizerArgs } from '../core/optimizers/index.js';

/** Each torch.optim keyword argument's wire bounds, in the order the schema lists them. */
const ARGUMENTS = {
  momentum: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  dampening: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  nesterov: Type.Optional(Type.Boolean()),
  weight_decay: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  // two numbers in [0, 1): an array of exactly 2 rather than a draft-07 tuple (`items: [...]`), which OpenAPI 3.1
  // (JSON Schema 2020-12) reads otherwise
  betas: Type.Optional(
    Type.Unsafe<[number, number]>(
      Type.Array(Type.Number({ minimum: 0, exclusiveMaximum: 1 }), {
        minItems: 2,
        maxItems: 2,
        description: '(beta1, beta2), as torch.optim.Adam',
      }),
    ),
  ),
  eps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  amsgrad: Type.Optional(Type.Boolean()),
  alpha: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'rmsprop smoothing constant' })),
  centered: Type.Optional(Type.Boolean()),
  lr_decay: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  initial_accumulator_value: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6 })),
} satisfies { [K in keyof OptimizerArgs]: unknown };

/** The arguments some optimizer module takes (ARGUMENTS must be exactly these: test/contracts/optimizer.test.ts). */
export function optimizerArguments(): string[] {
  return [...new Set(optimizerModules().flatMap((m) => Object.keys(m.defaults)))];
}

export const Optimizer = Type.Object(
  {
    type: StringEnum(OPTIMIZER_NAMES, { default: DEFAULT_OPTIMIZER }),
    ...ARGUMENTS,
  },
  {
    $id: 'Optimizer',
    additionalProperties: false,
    description:
      "torch.optim optimizer and its keyword arguments; missing ones take PyTorch's defaults. " +
      'The LR is set by the range test or schedule.',
  },
);

/** The argument names the schema lists (ARGUMENTS' keys, in order). */
export const OPTIMIZER_ARGUMENT_NAMES = Object.keys(ARGUMENTS) as (keyof OptimizerArgs)[];
