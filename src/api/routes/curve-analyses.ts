/** POST /v1/curve-analyses: synchronous suggestions for a curve the client recorded itself (src/sync/curve-analyses/).
 * */
import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { problemResponses } from '../../contracts/common.js';
import { analyzeCurveRequest } from '../../sync/curve-analyses/analyze.js';
import {
  CurveAnalysisRequest as RequestSchema,
  type CurveAnalysisRequest,
} from '../../sync/curve-analyses/contract.js';
import { curveAnalysisExample } from '../openapi-examples.js';

export function curveAnalysisRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  const example = (RequestSchema as unknown as { example: CurveAnalysisRequest }).example;
  app.post(
    '/v1/curve-analyses',
    {
      config: {
        openapiExamples: {
          responses: {
            200: {
              description: "Every method's pick, the chosen one, the curve's warnings",
              examples: curveAnalysisExample(example),
            },
          },
        },
      },
      schema: {
        tags: ['curve-analyses'],
        summary: 'Suggest an LR for a loss curve you recorded yourself',
        description:
          'For a curve recorded in your own loop or by a library (PyTorch, JAX, fastai `recorder`, torch-lr-finder `history`): send ' +
          "`lrs` and `losses` and get every method's pick — fastai's `valley`, `steep`, `minimum` (the default `suggestion`), `slide`, " +
          "torch-lr-finder's `steepest`, Lightning's `lightning` (>= 2.5.3) and `lightning_legacy`, keras_lr_finder's `keras_sma` (`sma`), " +
          "ignite's `ignite`, and our `zero_lag_steepest` — each with its own library's trimming unless `skip_start`/`skip_end` are set " +
          '(`suggestions.*.trim` says which was applied) and reading NaN / ±Infinity as its library does. Losses are numbers, ' +
          '"NaN", "Infinity", "-Infinity" or null. With `emulate` (a library, or `{library, ...its arguments}`), `losses` are raw ' +
          "per-step losses and the answer is that library's whole pipeline: its LR plan, smoothing, stop rule, trimming and methods, " +
          'with how many points it would have recorded and why it stopped (`emulation`). ' +
          `At most ${config.limits.numIter} points (LIMIT_NUM_ITER).`,
        body: Type.Ref('CurveAnalysisRequest'),
        response: { 200: Type.Ref('CurveAnalysisResult'), ...problemResponses(400, 401, 413, 415) },
      },
    },
    async (req: FastifyRequest<{ Body: CurveAnalysisRequest }>) => analyzeCurveRequest(req.body, config.limits.numIter),
  );
}
