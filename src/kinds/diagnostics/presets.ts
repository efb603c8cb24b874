/** Diagnostics presets: a healthy setup and a broken one. */
import { SPIRALS_SETUP } from '../../contracts/presets.js';
import type { KindPreset } from '../../contracts/resolve.js';
import type { DiagnosticsRequest } from './contract.js';

/** A request without `preset` runs this one. */
export const DEFAULT_PRESET = 'spirals-diagnostics';

/**
 * Diagnostics (POST /v1/diagnostics): a healthy setup, and one that is broken on purpose so users
 * see what failures look like — a deep ReLU net initialised with torch.nn.init.normal_ (std 1), whose
 * activations grow ~√(fan_in/2) ≈ 5.7× per layer (He et al. 2015).
 */
export const PRESETS: KindPreset<DiagnosticsRequest>[] = [
  {
    name: 'spirals-diagnostics',
    description:
      'Health checks of spirals-mlp (2-64-64-2 ReLU MLP, Kaiming init, Adam): data, loss and activations at init, gradients, and overfitting one batch of 8 rows in 200 Adam steps at lr 1e-3. Everything should pass.',
    body: SPIRALS_SETUP,
  },
  {
    name: 'broken-init-diagnostics',
    description:
      'A 6-layer ReLU MLP initialised with normal(0, 1) (torch.nn.init.normal_) on spirals: activations explode layer after layer and the initial loss is far above ln 2. The init check fails and says why.',
    body: {
      ...SPIRALS_SETUP,
      model: { hidden: [64, 64, 64, 64, 64, 64], activation: 'relu', init: { name: 'normal', mean: 0, std: 1 } },
    },
  },
];
