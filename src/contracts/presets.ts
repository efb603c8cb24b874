/**
 * Ready-made request bodies (GET /v1/presets). A request's own fields replace the preset's
 * fields of the same name wholesale (no deep merge: `optimizer: {type: "sgd"}` replaces the
 * preset's Adam entirely, as a PyTorch user would expect).
 */
import type { LrRangeTestRequest } from './lr-range-test.js';
import type { ScheduleSimulationRequest } from './schedules.js';
import type { DiagnosticsRequest } from '../kinds/diagnostics/contract.js';

export interface Preset {
  name: string;
  description: string;
  /** job kinds the preset applies to */
  kinds: string[];
  /** an LrRangeTestRequest for 'lr-range-tests', a ScheduleSimulationRequest for 'schedule-simulations', a DiagnosticsRequest for 'diagnostics' */
  body: LrRangeTestRequest | ScheduleSimulationRequest | DiagnosticsRequest;
}

/** The training setup of the schedule presets: spirals-mlp's (each run ~200 Adam steps, about a second). */
const SPIRALS_TRAIN: NonNullable<ScheduleSimulationRequest['train']> = {
  data: { name: 'spirals', n_samples: 1000, noise: 0.2 },
  model: { hidden: [64, 64], activation: 'relu', init: 'kaiming_normal' },
  optimizer: { type: 'adam' },
  batch_size: 64,
  seed: 0,
};

const CONSTANT = { name: 'constant', schedule: { type: 'constant', lr: 0.01 } };

/**
 * Schedule simulations: common recipes, each against a constant-LR baseline, on spirals-mlp
 * (200 steps ≈ 16 epochs). OneCycleLR keeps PyTorch's default cycle_momentum: Adam's beta1 cycles
 * 0.95 → 0.85 → 0.95 with the LR (see docs/schedules.md).
 */
const SCHEDULE_PRESETS: Preset[] = [
  {
    name: 'spirals-schedules',
    description: 'constant vs linear warmup + cosine (PyTorch SequentialLR) vs one-cycle (OneCycleLR), Adam on spirals-mlp, 200 steps, seed 0.',
    kinds: ['schedule-simulations'],
    body: {
      schedules: [
        CONSTANT,
        {
          name: 'warmup-cosine',
          schedule: {
            type: 'SequentialLR', lr: 0.01, milestones: [20],
            schedulers: [{ type: 'LinearLR', start_factor: 0.01, total_iters: 20 }, { type: 'CosineAnnealingLR', T_max: 180, eta_min: 1e-4 }],
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
    description: 'Warmup + cosine decay, the transformer recipe: Hugging Face get_scheduler("cosine", num_warmup_steps=20, num_training_steps=200) and optax warmup_cosine_decay_schedule, against a constant LR; spirals-mlp, Adam.',
    kinds: ['schedule-simulations'],
    body: {
      schedules: [
        CONSTANT,
        { name: 'hf-cosine', schedule: { type: 'cosine', lr: 0.01, num_warmup_steps: 20, num_training_steps: 200 } },
        {
          name: 'optax-warmup-cosine',
          schedule: { type: 'warmup_cosine_decay_schedule', init_value: 0, peak_value: 0.01, warmup_steps: 20, decay_steps: 200, end_value: 1e-4 },
        },
      ],
      steps: 200,
      train: SPIRALS_TRAIN,
    },
  },
  {
    name: 'one-cycle',
    description: 'Smith\'s 1cycle policy (PyTorch OneCycleLR, fastai fit_one_cycle): cosine and linear/three-phase annealing against a constant LR; spirals-mlp, Adam.',
    kinds: ['schedule-simulations'],
    body: {
      schedules: [
        CONSTANT,
        { name: 'one-cycle-cos', schedule: { type: 'OneCycleLR', max_lr: 0.03, total_steps: 200 } },
        {
          name: 'one-cycle-linear-3phase',
          schedule: { type: 'OneCycleLR', max_lr: 0.03, total_steps: 200, anneal_strategy: 'linear', three_phase: true },
        },
      ],
      steps: 200,
      train: SPIRALS_TRAIN,
    },
  },
  {
    name: 'step-decay',
    description: 'Step decay, the classic ResNet recipe: PyTorch StepLR(step_size=60, gamma=0.3) and MultiStepLR(milestones=[100, 150], gamma=0.1) against a constant LR; spirals-mlp, Adam.',
    kinds: ['schedule-simulations'],
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

/**
 * Diagnostics (POST /v1/diagnostics): a healthy setup, and one that is broken on purpose so users
 * see what failures look like — a deep ReLU net initialised with torch.nn.init.normal_ (std 1), whose
 * activations grow ~√(fan_in/2) ≈ 5.7× per layer (He et al. 2015).
 */
const DIAGNOSTICS_PRESETS: Preset[] = [
  {
    name: 'spirals-diagnostics',
    description: 'Health checks of spirals-mlp (2-64-64-2 ReLU MLP, Kaiming init, Adam): data, loss and activations at init, gradients, and overfitting one batch of 8 rows in 200 Adam steps at lr 1e-3. Everything should pass.',
    kinds: ['diagnostics'],
    body: {
      data: { name: 'spirals', n_samples: 1000, noise: 0.2 },
      model: { hidden: [64, 64], activation: 'relu', init: 'kaiming_normal' },
      optimizer: { type: 'adam' },
      batch_size: 64,
    },
  },
  {
    name: 'broken-init-diagnostics',
    description: 'A 6-layer ReLU MLP initialised with normal(0, 1) (torch.nn.init.normal_) on spirals: activations explode layer after layer and the initial loss is far above ln 2. The init check fails and says why.',
    kinds: ['diagnostics'],
    body: {
      data: { name: 'spirals', n_samples: 1000, noise: 0.2 },
      model: { hidden: [64, 64, 64, 64, 64, 64], activation: 'relu', init: { name: 'normal', mean: 0, std: 1 } },
      optimizer: { type: 'adam' },
      batch_size: 64,
    },
  },
];

export const PRESETS: readonly Preset[] = [
  {
    name: 'spirals-mlp',
    description: 'Two interleaved spirals, 2-64-64-2 ReLU MLP (Kaiming init), Adam, batch 64: the classic toy range test; runs in about a second.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'spirals', n_samples: 1000, noise: 0.2 },
      model: { hidden: [64, 64], activation: 'relu', init: 'kaiming_normal' },
      optimizer: { type: 'adam' },
      batch_size: 64,
    },
  },
  {
    name: 'moons-mlp',
    description: 'sklearn-style two moons, 2-32-32-2 tanh MLP (Xavier init), SGD with momentum 0.9.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'moons', n_samples: 1000, noise: 0.2 },
      model: { hidden: [32, 32], activation: 'tanh', init: 'xavier_normal' },
      optimizer: { type: 'sgd', momentum: 0.9 },
      batch_size: 32,
    },
  },
  {
    name: 'iris-mlp',
    description: 'The 150 real iris flowers, 4-16-3 ReLU MLP, Adam, batch 16.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'iris' },
      model: { hidden: [16], activation: 'relu', init: 'kaiming_normal' },
      optimizer: { type: 'adam' },
      batch_size: 16,
    },
  },
  {
    name: 'sine-mlp',
    description: 'Regression of a noisy sine, 1-64-64-1 tanh MLP, MSE, Adam.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'sine', n_samples: 1000, noise: 0.1 },
      model: { hidden: [64, 64], activation: 'tanh', init: 'xavier_normal' },
      optimizer: { type: 'adam' },
      batch_size: 64,
    },
  },
  {
    name: 'mnist-mlp',
    description: 'Real MNIST digits (the 10,000 shipped by the `mnist` package), 784-256-128-64-10 ReLU MLP, Adam, batch 128.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'mnist', n_samples: 10000 },
      model: { hidden: [256, 128, 64], activation: 'relu', init: 'kaiming_normal' },
      optimizer: { type: 'adam' },
      batch_size: 128,
    },
  },
  ...SCHEDULE_PRESETS,
  ...DIAGNOSTICS_PRESETS,
];

/** A preset by name; with `kind`, only one that applies to that job kind. */
export function findPreset(name: string, kind?: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name && (kind === undefined || p.kinds.includes(kind)));
}
