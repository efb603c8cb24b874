/** A standalone activation layer (torch nn.ReLU, nn.Tanh, ...): y = f(x), dx = dy · f'(x). */
import type { ActivationName } from '../spec.js';
import { ACTIVATIONS, activationBackward, activationForward } from '../activations.js';
import type { BuildContext, Layer } from './layer.js';
import { own } from '../own.js';
import { sizeOf, type LayerModule } from './module.js';

export function createActivationLayer(
  ctx: BuildContext,
  name: string,
  dim: number,
  activation: ActivationName,
  k?: number,
): Layer {
  const act = own(ACTIVATIONS, activation);
  if (!act) throw new Error(`unknown activation '${activation}'`);
  const kk = k ?? act.k;
  const y = ctx.backend.alloc(ctx.capacity * dim);
  const dx = ctx.backend.alloc(ctx.capacity * dim);
  let input: Float32Array = y;
  return {
    kind: 'activation',
    name,
    inDim: dim,
    outDim: dim,
    params: [],
    buffers: [],
    children: [],
    activation,
    output: y,
    forward(x, rows) {
      input = x;
      activationForward(act, kk, x, y, rows * dim);
      return y;
    },
    backward(dy, rows) {
      activationBackward(act, kk, input, y, dy, dx, rows * dim);
      return dx;
    },
  };
}

export interface ActivationSpec {
  type: 'activation';
  activation: ActivationName;
}

/** nn.ReLU, nn.Tanh, ...: elementwise on any shape, no parameters. */
export const activation: LayerModule<ActivationSpec> = {
  type: 'activation',
  input: 'any',
  fields: { activation: { kind: 'activationName' } },
  resolve: (raw) => ({ type: 'activation', activation: raw.activation as ActivationName }),
  validate(s, input, { path, out }) {
    if (!Object.hasOwn(ACTIVATIONS, s.activation))
      out.push({
        path: `${path}/activation`,
        message: `unknown activation '${s.activation}'`,
      });
    return input;
  },
  output: (_s, input) => input,
  params: () => 0,
  flops: () => 0,
  memory: (_s, input, { rows }) => ({ params: [], buffers: [[rows * sizeOf(input), 2]] }),
  build: (ctx, s, input, o) => createActivationLayer(ctx, o.name, sizeOf(input), s.activation),
  stats: { params: false, stats: true, weights: false },
};
