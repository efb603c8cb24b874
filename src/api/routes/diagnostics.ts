/** POST /v1/diagnostics and friends: queue training health checks (data, init, gradients, overfit one batch). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { DiagnosticsRequest } from '../../kinds/diagnostics/contract.js';
import { countLayerParams } from '../../contracts/params.js';
import { resolveDiagnostics } from '../../kinds/diagnostics/resolve.js';
import { registerJobRoutes } from './jobs.js';

export function diagnosticsRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  registerJobRoutes(app, {
    kind: 'diagnostics',
    tag: 'diagnostics',
    summary: 'Queue training diagnostics: data, init, gradients, overfit one tiny batch',
    description:
      'The debugging checklist (Karpathy, "A Recipe for Training Neural Networks") as a job, on the model, data, loss and optimizer ' +
      'you would give an LR range test. `data`: NaN/Inf, feature scale, class balance, duplicates. `init`: one forward pass at ' +
      'initialisation — activation std per layer (exploding/vanishing, He et al. 2015, Glorot & Bengio 2010) and the loss against ' +
      'chance level (ln C for cross entropy, ln 2 for BCE). `gradients`: per-layer gradient norms at init (zero, NaN/Inf, first/last ' +
      'layer ratio). `overfit_batch`: `overfit_steps` steps at `lr` on one fixed batch of `tiny_batch` rows — a healthy setup ' +
      'memorises it; otherwise the curve says why (NaN, flat, oscillating, diverging). Each check answers `pass`/`warn`/`fail` ' +
      'with a summary, its numbers and hints; `verdict` is the worst. `{"preset": "spirals-diagnostics"}` (or `{}`) is a healthy ' +
      'example, `{"preset": "broken-init-diagnostics"}` a broken one. ' +
      `Limits: overfit_steps ≤ ${config.limits.numIter} (LIMIT_NUM_ITER), batch_size and tiny_batch ≤ ${config.limits.batchSize} (LIMIT_BATCH_SIZE).`,
    requestRef: 'DiagnosticsRequest',
    jobRef: 'DiagnosticsJob',
    resolve: (body, datasets) => resolveDiagnostics(body as DiagnosticsRequest, { limits: config.limits, countParams: countLayerParams, datasets }),
  });
}
