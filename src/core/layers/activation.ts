/** A standalone activation layer (torch nn.ReLU, nn.Tanh, ...): y = f(x), dx = dy · f'(x). */
import type { ActivationName } from '../spec.js';
import { ACTIVATIONS, activationBackward, activationForward } from '../activations.js';
import type { BuildContext, Layer } from './layer.js';
import { own } from '../own.js';

export function createActivationLayer(ctx: BuildContext, name: string, dim: number, activation: ActivationName, k?: number): Layer {
  const act = own(ACTIVATIONS, activation);
  if (!act) throw new Error(`unknown activation '${activation}'`);
  const kk = k ?? act.k;
  const y = ctx.backend.alloc(ctx.capacity * dim);
  const dx = ctx.backend.alloc(ctx.capacity * dim);
  let input: Float32Array = y;
  return {
    kind: 'activation', name, inDim: dim, outDim: dim, params: [], buffers: [], children: [],
    activation, output: y,
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
