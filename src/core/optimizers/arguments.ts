/**
 * The torch.optim keyword arguments the optimizers take besides `lr`, under torch's names. Each
 * optimizer module (./registry.ts lists them) says which of them it takes and their defaults;
 * the wire schema (src/contracts/optimizer.ts) bounds each argument once.
 */
export interface OptimizerArgs {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weight_decay: number;
  betas: [number, number];
  eps: number;
  amsgrad: boolean;
  alpha: number;
  centered: boolean;
  lr_decay: number;
  initial_accumulator_value: number;
}

/**
 * The value of an argument an optimizer does not take, so the core always receives a complete
 * spec. Never read: an optimizer reads only its own arguments, which resolution always fills from
 * its defaults.
 */
export const UNUSED_ARGS: Readonly<OptimizerArgs> = Object.freeze<OptimizerArgs>({
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weight_decay: 0,
  betas: [0, 0],
  eps: 0,
  amsgrad: false,
  alpha: 0,
  centered: false,
  lr_decay: 0,
  initial_accumulator_value: 0,
});
