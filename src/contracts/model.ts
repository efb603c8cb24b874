/** Model and loss schemas (names and defaults of torch.nn / torch.nn.init); the optimizer's is ./optimizer.ts. */
import Type, { type TSchema } from 'typebox';
import type { LayerField } from '../core/layers/module.js';
import { LAYER_DESCRIPTION, LAYERS, type LayerType, type RegisteredLayer } from '../core/layers/registry.js';
import { HIDDEN_UNITS } from '../core/layers/stacks.js';
import { RefOf, StringEnum } from './common.js';

export const ACTIVATIONS = [
  'identity',
  'relu',
  'leaky_relu',
  'elu',
  'gelu',
  'silu',
  'tanh',
  'sigmoid',
  'softplus',
] as const;
export const INITS = [
  'default',
  'uniform',
  'normal',
  'constant',
  'zeros',
  'ones',
  'xavier_uniform',
  'xavier_normal',
  'kaiming_uniform',
  'kaiming_normal',
  'orthogonal',
  'trunc_normal',
] as const;
/** torch.nn.init.calculate_gain's nonlinearities that the core computes (src/core/init.ts, src/core/model.ts) */
export const NONLINEARITIES = [
  'linear',
  'identity',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'selu',
  'conv1d',
  'conv2d',
  'conv3d',
] as const;
export const LOSSES = ['cross_entropy', 'bce_with_logits', 'mse', 'huber', 'smooth_l1'] as const;

const Activation = StringEnum(ACTIVATIONS, { description: 'torch.nn activation (lower-case)' });

const InitObject = Type.Object(
  {
    name: StringEnum(INITS),
    a: Type.Optional(
      Type.Number({ description: 'kaiming: negative slope of the following rectifier; uniform: lower bound' }),
    ),
    b: Type.Optional(Type.Number({ description: 'uniform: upper bound' })),
    mode: Type.Optional(StringEnum(['fan_in', 'fan_out'] as const)),
    nonlinearity: Type.Optional(
      StringEnum(NONLINEARITIES, {
        description: "kaiming: torch.nn.init.calculate_gain's nonlinearity (default leaky_relu)",
      }),
    ),
    gain: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    mean: Type.Optional(Type.Number({ minimum: -1e6, maximum: 1e6 })),
    std: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6 })),
    val: Type.Optional(Type.Number({ minimum: -1e6, maximum: 1e6 })),
  },
  { additionalProperties: false },
);

export const Init = Type.Union([StringEnum(INITS), InitObject], {
  $id: 'Init',
  description:
    'torch.nn.init name ("kaiming_normal") or {name, a, mode, nonlinearity, gain, mean, std, val}; "default" = nn.Linear\'s own init',
});

/** The shorthand's hidden widths: what a dense layer's units take. */
const Units = Type.Unsafe<number>(fieldSchema(HIDDEN_UNITS, null));

/**
 * One wire field of a layer module (plain data in src/core/layers) as TypeBox. `simpleLayer` is
 * what a nested layer list holds (null while building that very union).
 */
export function fieldSchema(f: LayerField, simpleLayer: TSchema | null): TSchema {
  const schema = fieldType(f, simpleLayer);
  return 'optional' in f && f.optional ? Type.Optional(schema) : schema;
}

function fieldType(f: LayerField, simpleLayer: TSchema | null): TSchema {
  switch (f.kind) {
    case 'integer': {
      const { kind: _k, optional: _o, ...o } = f;
      return Type.Integer(o);
    }
    case 'number': {
      const { kind: _k, optional: _o, ...o } = f;
      return Type.Number(o);
    }
    case 'boolean': {
      const { kind: _k, optional: _o, ...o } = f;
      return Type.Boolean(o);
    }
    case 'pair': {
      // torch's _pair: one integer for both spatial dimensions, or [height, width]
      const { kind: _k, optional: _o, description, default: d, ...limits } = f;
      const one = Type.Integer(limits);
      return Type.Union([one, Type.Array(one, { minItems: 2, maxItems: 2 })], { description, default: d });
    }
    case 'enum':
      return StringEnum(f.values, { description: f.description, default: f.default });
    case 'activationName':
      return Activation; // its default: in the layer's resolution only
    case 'init':
      return RefOf(Init);
    case 'layers': {
      if (!simpleLayer) throw new Error('a nested layer list inside a nested layer list');
      const { kind: _k, ...o } = f;
      return Type.Array(simpleLayer, o);
    }
    default: {
      const never: never = f;
      throw new Error(`unknown layer field ${JSON.stringify(never)}`);
    }
  }
}

/** A layer module's wire schema: `{type, ...its fields}`, nothing else. */
function layerSchema(m: RegisteredLayer, simpleLayer: TSchema | null): TSchema {
  const fields = Object.fromEntries(Object.entries(m.fields).map(([name, f]) => [name, fieldSchema(f, simpleLayer)]));
  return Type.Object({ type: Type.Literal(m.type), ...fields }, { additionalProperties: false });
}

const nests = (m: RegisteredLayer): boolean => Object.values(m.fields).some((f) => f.kind === 'layers');

/** The layers a nested layer (residual) may hold: those that hold none. */
const SimpleLayer = Type.Union(LAYERS.filter((m) => !nests(m)).map((m) => layerSchema(m, null)));

/** A request's layer as TypeScript sees it: a registered type and its fields (the schema checks the rest). */
export type RawLayer = { type: LayerType } & Record<string, unknown>;

export const Layer = Type.Unsafe<RawLayer>(
  Type.Union(
    LAYERS.map((m) => layerSchema(m, SimpleLayer)),
    {
      $id: 'Layer',
      description: LAYER_DESCRIPTION,
    },
  ),
);

export const Model = Type.Union(
  [
    Type.Object(
      {
        hidden: Type.Array(Units, { maxItems: 16, description: 'hidden layer widths, e.g. [64, 64]' }),
        activation: Type.Optional(Activation),
        init: Type.Optional(RefOf(Init)),
        batchnorm: Type.Optional(Type.Boolean({ description: 'BatchNorm1d after each hidden dense layer' })),
        dropout: Type.Optional(
          Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'dropout after each hidden layer' }),
        ),
      },
      { additionalProperties: false, title: 'shorthand' },
    ),
    Type.Object(
      { layers: Type.Array(RefOf(Layer), { maxItems: 64 }) },
      { additionalProperties: false, title: 'layers' },
    ),
  ],
  {
    $id: 'Model',
    description:
      "An MLP. The output layer (dense, units = the dataset's classes or outputs, no activation) is appended automatically.",
  },
);

export const Loss = Type.Union(
  [
    StringEnum(LOSSES),
    Type.Object(
      {
        name: StringEnum(LOSSES),
        label_smoothing: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
        delta: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, description: 'huber' })),
        beta: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'smooth_l1' })),
      },
      { additionalProperties: false },
    ),
  ],
  {
    $id: 'Loss',
    description: 'torch.nn loss: cross_entropy (default for classification) or mse (default for regression), ...',
  },
);
