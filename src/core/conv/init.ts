/**
 * Conv2d weight initialisation with torch's semantics.
 * torch/nn/modules/conv.py _ConvNd.reset_parameters:
 *   init.kaiming_uniform_(self.weight, a=math.sqrt(5))            → U(±1/√fan_in)
 *   fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
 *   if fan_in != 0: bound = 1 / math.sqrt(fan_in); init.uniform_(self.bias, -bound, bound)
 * torch/nn/init.py _calculate_fan_in_and_fan_out for a weight [out, in, kH, kW]:
 *   receptive_field_size = kH·kW; fan_in = in·kH·kW; fan_out = out·kH·kW.
 * Every other initializer name fills the weight as the matrix [out, in·kH·kW] with those fans (orthogonal_
 * flattens the same way: rows = out); the bias is then zeros, as for dense (../init.ts initDense).
 * Draw order as dense: the weight's out·in·kH·kW numbers, then the bias's.
 */
import type { InitSpec } from '../spec.js';
import type { Rng } from '../rng.js';
import { INITIALIZERS, fillUniform, type Fans } from '../init.js';
import { own } from '../own.js';

/** torch.nn.init._calculate_fan_in_and_fan_out of a [out, in, kH, kW] weight */
export function convFans(outChannels: number, inChannels: number, kH: number, kW: number): Fans {
  const receptive = kH * kW;
  return { fanIn: inChannels * receptive, fanOut: outChannels * receptive };
}

export function initConv2d(
  spec: InitSpec,
  weight: Float32Array,
  bias: Float32Array | null,
  outChannels: number,
  inChannels: number,
  kH: number,
  kW: number,
  rng: Rng,
): void {
  const fill = own(INITIALIZERS, spec.name);
  if (!fill) throw new Error(`unknown initializer '${spec.name}'`);
  const fans = convFans(outChannels, inChannels, kH, kW);
  fill({ w: weight, rng, rows: outChannels, cols: fans.fanIn, spec, fans });
  if (!bias) return;
  if (spec.name === 'default') {
    const bound = fans.fanIn > 0 ? 1 / Math.sqrt(fans.fanIn) : 0;
    fillUniform(bias, rng, -bound, bound);
  } else {
    bias.fill(0);
  }
}
