/** The training diagnostics job kind: POST /v1/diagnostics and its views. See ../kind.ts for the parts. */
import { uploadIds } from '../../contracts/resolve.js';
import { defineKind } from '../kind.js';
import {
  DiagnosticCheck,
  DiagnosticsJob,
  DiagnosticsRequest,
  DiagnosticsResult,
  DiagnosticsSummary,
  KIND,
} from './contract.js';
import { renderDiagnosticsCsv } from './csv.js';
import { PRESETS } from './presets.js';
import { resolveDiagnostics } from './resolve.js';
import { runDiagnostics } from './run.js';
import { renderDiagnosticsSvg } from './svg.js';

export const diagnostics = defineKind({
  name: KIND,
  noun: { a: 'a', one: 'diagnostics run', many: 'diagnostics runs' },
  description: 'training health checks: data, initialisation, gradients, overfitting one tiny batch',
  post: {
    summary: 'Queue training diagnostics: data, init, gradients, overfit one tiny batch',
    description: (limits) =>
      'The debugging checklist (Karpathy, "A Recipe for Training Neural Networks") as a job, on the model, data, loss and optimizer ' +
      'you would give an LR range test. `data`: NaN/Inf, feature scale, class balance, duplicates. `init`: one forward pass at ' +
      'initialisation — activation std per layer (exploding/vanishing, He et al. 2015, Glorot & Bengio 2010) and the loss against ' +
      'chance level (ln C for cross entropy, ln 2 for BCE). `gradients`: per-layer gradient norms at init (zero, NaN/Inf, first/last ' +
      'layer ratio). `overfit_batch`: `overfit_steps` steps at `lr` on one fixed batch of `tiny_batch` rows — a healthy setup ' +
      'memorises it; otherwise the curve says why (NaN, flat, oscillating, diverging). Each check answers `pass`/`warn`/`fail` ' +
      'with a summary, its numbers and hints; `verdict` is the worst. `{"preset": "spirals-diagnostics"}` (or `{}`) is a healthy ' +
      'example, `{"preset": "broken-init-diagnostics"}` a broken one. ' +
      `Limits: overfit_steps ≤ ${limits.numIter} (LIMIT_NUM_ITER), batch_size and tiny_batch ≤ ${limits.batchSize} (LIMIT_BATCH_SIZE).`,
  },
  schemas: {
    request: DiagnosticsRequest,
    result: DiagnosticsResult,
    job: DiagnosticsJob,
    components: [DiagnosticsRequest, DiagnosticCheck, DiagnosticsResult, DiagnosticsJob],
  },
  presets: PRESETS,
  resolve: resolveDiagnostics,
  datasetIds: (request: { data?: unknown }) => uploadIds(request.data),
  run: runDiagnostics,
  summary: {
    schema: DiagnosticsSummary,
    of: (r) => ({ verdict: r.verdict }),
  },
  views: {
    svg: {
      description:
        "Each check's status, the overfit-one-batch curve and per-layer activation std and gradient norm at initialisation.",
      render: renderDiagnosticsSvg,
    },
    csv: {
      description: '`step,loss,accuracy,grad_norm` of the overfit-one-batch run.',
      render: renderDiagnosticsCsv,
    },
  },
});
