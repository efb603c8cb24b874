/** POST /v1/curve-analyses: synchronous suggestions for a curve the client recorded itself (src/sync/curve-analyses/). */
import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { problemResponses } from '../../contracts/common.js';
import { analyzeCurveRequest } from '../../sync/curve-analyses/analyze.js';
import type { CurveAnalysisRequest } from '../../sync/curve-analyses/contract.js';

export function curveAnalysisRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  app.post('/v1/curve-analyses', {
    schema: {
      tags: ['curve-analyses'],
      summary: 'Suggest an LR for a loss curve you recorded yourself',
      description:
        'For a range test run in your own training loop (PyTorch, JAX): send the LRs and losses, get every suggestion ' +
        'method\'s pick — fastai\'s `minimum`, `steep`, `valley` (default), `slide` with fastai\'s trimming ' +
        '(`num_iter//10` at the front, 5 at the end), torch-lr-finder\'s `steepest` with `skip_start`/`skip_end` (10/5), ' +
        'and `zero_lag_steepest`. `losses` is analysed as sent: send the smoothed losses to reproduce torch-lr-finder/fastai. ' +
        `At most ${config.limits.numIter} points (LIMIT_NUM_ITER).`,
      body: Type.Ref('CurveAnalysisRequest'),
      response: { 200: Type.Ref('CurveAnalysisResult'), ...problemResponses(400, 401, 413, 415) },
    },
  }, async (req: FastifyRequest<{ Body: CurveAnalysisRequest }>) => analyzeCurveRequest(req.body, config.limits.numIter));
}
