/**
 * Adagrad as torch.optim.Adagrad (pytorch torch/optim/adagrad.py, _single_tensor_adagrad),
 * state_sum initialised to initial_accumulator_value, step t counted from 1:
 *   g ← g + weight_decay·p
 *   clr = lr / (1 + (t-1)·lr_decay)
 *   sum ← sum + g²
 *   p ← p - clr · g / (√sum + eps)
 */
export interface AdagradOptions { lr_decay: number; eps: number; weight_decay: number }

export function adagradUpdate(p: Float32Array, g: Float32Array, sum: Float32Array, n: number, lr: number, step: number, o: AdagradOptions): void {
  const { lr_decay, eps, weight_decay: wd } = o;
  const clr = lr / (1 + (step - 1) * lr_decay);
  for (let i = 0; i < n; i++) {
    let gi = g[i];
    if (wd !== 0) gi += wd * p[i];
    sum[i] = sum[i] + gi * gi;
    p[i] = p[i] - clr * (gi / (Math.sqrt(sum[i]) + eps));
  }
}
