/** The checks of a layer's torch.nn.init argument (the messages validateModel gives). */
import type { InitSpec } from '../spec.js';
import { INITIALIZERS, initBounds } from '../init.js';
import { isNum, type ModelProblem } from './module.js';

export function checkInit(init: InitSpec | undefined, path: string, out: ModelProblem[]): void {
  if (!init || typeof init !== 'object') {
    out.push({ path, message: 'init is required' });
    return;
  }
  if (!Object.hasOwn(INITIALIZERS, init.name))
    out.push({
      path: `${path}/name`,
      message: `unknown initializer '${init.name}'; expected one of ${Object.keys(INITIALIZERS).join(', ')}`,
    });
  if (init.name === 'uniform') {
    const [lo, hi] = initBounds(init, 0, 1);
    if (isNum(lo) && isNum(hi) && lo > hi)
      out.push({
        path: `${path}/${init.low !== undefined ? 'low' : 'a'}`,
        message: `uniform needs a ≤ b, got [${lo}, ${hi}]`,
      });
  }
  const normal = init.name === 'normal' || init.name === 'trunc_normal';
  if (normal && init.std !== undefined && !(isNum(init.std) && init.std >= 0))
    out.push({
      path: `${path}/std`,
      message: `std must be ≥ 0, got ${init.std}`,
    });
  if (init.name === 'trunc_normal') {
    const [lo, hi] = initBounds(init, -2, 2);
    if (!(lo < hi))
      out.push({
        path: `${path}/${init.low !== undefined ? 'low' : 'a'}`,
        message: `trunc_normal needs a < b, got [${lo}, ${hi}]`,
      });
  }
  if (init.mode !== undefined && init.mode !== 'fan_in' && init.mode !== 'fan_out')
    out.push({
      path: `${path}/mode`,
      message: `mode must be 'fan_in' or 'fan_out', got '${init.mode}'`,
    });
  const gains = ['linear', 'identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu', 'conv1d', 'conv2d', 'conv3d'];
  if (init.nonlinearity !== undefined && !gains.includes(init.nonlinearity)) {
    out.push({
      path: `${path}/nonlinearity`,
      message: `unsupported nonlinearity '${init.nonlinearity}' (torch.nn.init.calculate_gain)`,
    });
  }
}

/** A request's init (a torch.nn.init name or {name, ...} with torch's argument names, kept verbatim). */
export function resolveInit(raw: unknown, fallback: InitSpec): InitSpec {
  if (raw === undefined) return fallback;
  if (typeof raw === 'string') return { name: raw as InitSpec['name'] };
  return { ...(raw as InitSpec) };
}
