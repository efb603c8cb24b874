/**
 * SGD as torch.optim.SGD (pytorch torch/optim/sgd.py, _single_tensor_sgd):
 *   g ← g + weight_decay·p
 *   if momentum ≠ 0:  buf ← g when there is no buffer yet (torch: momentum_buffer is None, i.e. the first
 *                     step with momentum ≠ 0), else buf ← momentum·buf + (1 - dampening)·g
 *                     g ← g + momentum·buf (nesterov)  or  g ← buf
 *   p ← p - lr·g
 */
export interface SgdOptions { momentum: number; dampening: number; nesterov: boolean; weight_decay: number }

/** `firstStep`: the buffer does not exist yet (torch's `buf is None`); momentum is read at each call (schedulers change it) */
export function sgdUpdate(p: Float32Array, g: Float32Array, buf: Float32Array, n: number, lr: number, o: SgdOptions, firstStep: boolean): void {
  const { momentum, dampening, nesterov, weight_decay: wd } = o;
  for (let i = 0; i < n; i++) {
    let d = g[i];
    if (wd !== 0) d += wd * p[i];
    if (momentum !== 0) {
      const b = firstStep ? d : momentum * buf[i] + (1 - dampening) * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    p[i] = p[i] - lr * d;
  }
}
