/** Schedule simulation presets: common LR recipes against a constant-LR baseline. */
import { SPIRALS_SETUP } from '../../contracts/presets.js';
import type { KindPreset } from '../../contracts/resolve.js';
import type { ScheduleSimulationRequest } from './contract.js';

/** A request without `preset` runs this one. */
export const DEFAULT_PRESET = 'spirals-schedules';

/** The training setup of the schedule presets: spirals-mlp's, seed 0 (each run ~200 Adam steps, about a second). */
const SPIRALS_TRAIN: NonNullable<ScheduleSimulationRequest['train']> = { ...SPIRALS_SETUP, seed: 0 };

const CONSTANT = { name: 'constant', schedule: { type: 'constant', lr: 0.01 } };

/**
 * Schedule simulations: common recipes, each against a constant-LR baseline, on spirals-mlp
 * (200 steps ≈ 16 epochs). OneCycleLR keeps PyTorch's default cycle_momentum: Adam's beta1 cycles
 * 0.95 → 0.85 → 0.95 with the LR (see docs/schedules.md).
 */
export const PRESETS: KindPreset<ScheduleSimulationRequest>[] = [
  {
    name: 'spirals-schedules',
    description:
      'constant vs linear warmup + cosine (PyTorch SequentialLR) vs one-cycle (OneCycleLR), Adam on spirals-mlp, 200 steps, seed 0.',
    body: {
      schedules: [
        CONSTANT,
        {
          name: 'warmup-cosine',
          schedule: {
            type: 'SequentialLR',
            lr: 0.01,
            milestones: [20],
            schedulers: [
              { type: 'LinearLR', start_factor: 0.01, total_iters: 20 },
              { type: 'CosineAnnealingLR', T_max: 180, eta_min: 1e-4 },
            ],
          },
        },
        { name: 'one-cycle', schedule: { type: 'OneCycleLR', max_lr: 0.03, total_steps: 200 } },
      ],
      steps: 200,
      train: SPIRALS_TRAIN,
    },
  },
  {
    name: 'warmup-cosine',
    description:
      'Warmup + cosine decay, the transformer recipe: Hugging Face get_scheduler("cosine", num_warmup_steps=20, num_training_steps=200) and optax warmup_cosine_decay_schedule, against a constant LR; spirals-mlp, Adam.',
    body: {
      schedules: [
        CONSTANT,
        { name: 'hf-cosine', schedule: { type: 'cosine', lr: 0.01, num_warmup_steps: 20, num_training_steps: 200 } },
        {
          name: 'optax-warmup-cosine',
          schedule: {
            type: 'warmup_cosine_decay_schedule',
            init_value: 0,
            peak_value: 0.01,
            warmup_steps: 20,
            decay_steps: 200,
            end_value: 1e-4,
          },
        },
      ],
      steps: 200,
      train: SPIRALS_TRAIN,
    },
  },
  {
    name: 'one-cycle',
    description:
      "Smith's 1cycle policy (PyTorch OneCycleLR, fastai fit_one_cycle): cosine and linear/three-phase annealing against a constant LR; spirals-mlp, Adam.",
    body: {
      schedules: [
        CONSTANT,
        { name: 'one-cycle-cos', schedule: { type: 'OneCycleLR', max_lr: 0.03, total_steps: 200 } },
        {
          name: 'one-cycle-linear-3phase',
          schedule: {
            type: 'OneCycleLR',
            max_lr: 0.03,
            total_steps: 200,
            anneal_strategy: 'linear',
            three_phase: true,
          },
        },
      ],
      steps: 200,
      train: SPIRALS_TRAIN,
    },
  },
  {
    name: 'step-decay',
    description:
      'Step decay, the classic ResNet recipe: PyTorch StepLR(step_size=60, gamma=0.3) and MultiStepLR(milestones=[100, 150], gamma=0.1) against a constant LR; spirals-mlp, Adam.',
    body: {
      schedules: [
        CONSTANT,
        { name: 'step', schedule: { type: 'StepLR', lr: 0.01, step_size: 60, gamma: 0.3 } },
        { name: 'multistep', schedule: { type: 'MultiStepLR', lr: 0.01, milestones: [100, 150], gamma: 0.1 } },
      ],
      steps: 200,
      train: SPIRALS_TRAIN,
    },
  },
];
