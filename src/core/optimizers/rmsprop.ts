/**
 * RMSprop as torch.optim.RMSprop (pytorch torch/optim/rmsprop.py, _single_tensor_rmsprop):
 *   g ← g + weight_decay·p
 *   sq ← α·sq + (1-α)·g²
 *   centered: ga ← ga + (1-α)(g - ga);  avg = √(sq - ga²) + eps     else avg = √sq + eps
 *   momentum > 0: buf ← momentum·buf + g/avg;  p ← p - lr·buf         else p ← p - lr·g/avg
 */
export interface RmspropOptions { alpha: number; eps: number; weight_decay: number; momentum: number; centered: boolean }

export function rmspropUpdate(p: Float32Array, g: Float32Array, sq: Float32Array, ga: Float32Array | null, buf: Float32Array | null,
  n: number, lr: number, o: RmspropOptions): void {
  const { alpha, eps, weight_decay: wd, momentum, centered } = o;
  for (let i = 0; i < n; i++) {
    let gi = g[i];
    if (wd !== 0) gi += wd * p[i];
    sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
    let avg: number;
    if (centered && ga) {
      ga[i] = ga[i] + (1 - alpha) * (gi - ga[i]);
      avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
    } else {
      avg = Math.sqrt(sq[i]) + eps;
    }
    if (momentum > 0 && buf) {
      buf[i] = momentum * buf[i] + gi / avg;
      p[i] = p[i] - lr * buf[i];
    } else {
      p[i] = p[i] - lr * (gi / avg);
    }
  }
}
