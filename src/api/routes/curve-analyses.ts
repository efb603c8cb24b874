/** POST /v1/curve-analyses: synchronous suggestions for a curve the client recorded itself. */
import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { problemResponses } from '../../contracts/common.js';
import type { CurveAnalysisRequest } from '../../sync/curve-analyses/contract.js';
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { analyzeCurve } from '../../lrfinder/index.js';

/** Shape checks the schema cannot express; throws 400 problems naming the field. */
export function checkCurveRequest(b: CurveAnalysisRequest, limitPoints: number): void {
  if (b.lrs.length > limitPoints) throw limitExceeded('/lrs', 'the number of points', b.lrs.length, limitPoints, 'LIMIT_NUM_ITER');
  if (b.losses.length !== b.lrs.length) {
    throw invalid('/losses', `must have one loss per LR: ${b.losses.length} losses for ${b.lrs.length} lrs`);
  }
  for (let i = 1; i < b.lrs.length; i++) {
    if (!(b.lrs[i] > b.lrs[i - 1])) {
      throw invalid(`/lrs/${i}`, `lrs must be strictly increasing: lrs[${i}] = ${b.lrs[i]} is not above lrs[${i - 1}] = ${b.lrs[i - 1]}`);
    }
  }
}

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
  }, async (req: FastifyRequest<{ Body: CurveAnalysisRequest }>) => {
    const b = req.body;
    checkCurveRequest(b, config.limits.numIter);
    return analyzeCurve({
      lrs: b.lrs,
      losses: b.losses,
      suggestion: b.suggestion,
      methods: b.methods,
      skip_start: b.skip_start,
      skip_end: b.skip_end,
      num_it: b.num_iter,
    });
  });
}
