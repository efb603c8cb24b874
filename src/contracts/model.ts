/** Model and loss schemas (names and defaults of torch.nn / torch.nn.init); the optimizer's is ./optimizer.ts. */
import Type from 'typebox';
import { RefOf, StringEnum } from './common.js';

export const ACTIVATIONS = ['identity', 'relu', 'leaky_relu', 'elu', 'gelu', 'silu', 'tanh', 'sigmoid', 'softplus'] as const;
export const INITS = [
  'default', 'uniform', 'normal', 'constant', 'zeros', 'ones', 'xavier_uniform', 'xavier_normal',
  'kaiming_uniform', 'kaiming_normal', 'orthogonal', 'trunc_normal',
] as const;
/** torch.nn.init.calculate_gain's nonlinearities that the core computes (src/core/init.ts, src/core/model.ts) */
export const NONLINEARITIES = ['linear', 'identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu', 'conv1d', 'conv2d', 'conv3d'] as const;
export const LOSSES = ['cross_entropy', 'bce_with_logits', 'mse', 'huber', 'smooth_l1'] as const;

const Activation = StringEnum(ACTIVATIONS, { description: 'torch.nn activation (lower-case)' });

const InitObject = Type.Object(
  {
    name: StringEnum(INITS),
    a: Type.Optional(Type.Number({ description: 'kaiming: negative slope of the following rectifier; uniform: lower bound' })),
    b: Type.Optional(Type.Number({ description: 'uniform: upper bound' })),
    mode: Type.Optional(StringEnum(['fan_in', 'fan_out'] as const)),
    nonlinearity: Type.Optional(StringEnum(NONLINEARITIES, { description: 'kaiming: torch.nn.init.calculate_gain\'s nonlinearity (default leaky_relu)' })),
    gain: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    mean: Type.Optional(Type.Number({ minimum: -1e6, maximum: 1e6 })),
    std: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6 })),
    val: Type.Optional(Type.Number({ minimum: -1e6, maximum: 1e6 })),
  },
  { additionalProperties: false },
);

export const Init = Type.Union([StringEnum(INITS), InitObject], {
  $id: 'Init',
  description: 'torch.nn.init name ("kaiming_normal") or {name, a, mode, nonlinearity, gain, mean, std, val}; "default" = nn.Linear\'s own init',
});

const Units = Type.Integer({ minimum: 1, maximum: 4096 });

const DenseLayer = Type.Object(
  {
    type: Type.Literal('dense'),
    units: Units,
    activation: Type.Optional(Activation),
    init: Type.Optional(RefOf(Init)),
    bias: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
const ActivationLayer = Type.Object({ type: Type.Literal('activation'), activation: Activation }, { additionalProperties: false });
const BatchNormLayer = Type.Object(
  {
    type: Type.Literal('batchnorm'),
    momentum: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0.1 })),
    eps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 1e-5 })),
  },
  { additionalProperties: false },
);
const LayerNormLayer = Type.Object(
  { type: Type.Literal('layernorm'), eps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 1e-5 })) },
  { additionalProperties: false },
);
const DropoutLayer = Type.Object(
  { type: Type.Literal('dropout'), p: Type.Number({ minimum: 0, exclusiveMaximum: 1 }) },
  { additionalProperties: false },
);
const SimpleLayer = Type.Union([DenseLayer, ActivationLayer, BatchNormLayer, LayerNormLayer, DropoutLayer]);
const ResidualLayer = Type.Object(
  {
    type: Type.Literal('residual'),
    layers: Type.Array(SimpleLayer, { minItems: 1, maxItems: 16, description: 'y = x + f(x); f must keep the width' }),
  },
  { additionalProperties: false },
);

export const Layer = Type.Union([DenseLayer, ActivationLayer, BatchNormLayer, LayerNormLayer, DropoutLayer, ResidualLayer], {
  $id: 'Layer',
  description: 'one layer; `dense` is nn.Linear (+ activation), the others as in torch.nn',
});

export const Model = Type.Union(
  [
    Type.Object(
      {
        hidden: Type.Array(Units, { maxItems: 16, description: 'hidden layer widths, e.g. [64, 64]' }),
        activation: Type.Optional(Activation),
        init: Type.Optional(RefOf(Init)),
        batchnorm: Type.Optional(Type.Boolean({ description: 'BatchNorm1d after each hidden dense layer' })),
        dropout: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1, description: 'dropout after each hidden layer' })),
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
      'An MLP. The output layer (dense, units = the dataset\'s classes or outputs, no activation) is appended automatically.',
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
  { $id: 'Loss', description: 'torch.nn loss: cross_entropy (default for classification) or mse (default for regression), ...' },
);
