/** POST /v1/lr-range-tests and friends: queue an LR range test. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { LrRangeTestRequest } from '../../contracts/lr-range-test.js';
import { resolveRangeTest } from '../../contracts/resolve.js';
import { countLayerParams } from '../../contracts/params.js';
import { registerJobRoutes } from './jobs.js';

export function lrRangeTestRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  registerJobRoutes(app, {
    kind: 'lr-range-tests',
    tag: 'lr-range-tests',
    summary: 'Queue an LR range test',
    description:
      'Trains the model for `num_iter` minibatches while raising the LR from `start_lr` to `end_lr` ' +
      '(exponentially by default, as torch-lr-finder), records the loss, stops on divergence, and suggests an LR. ' +
      'Every field is optional: `{"preset": "spirals-mlp"}` (or `{}`) runs a complete example. Answers 202 with a ' +
      'Location to poll.',
    requestRef: 'LrRangeTestRequest',
    jobRef: 'LrRangeTestJob',
    resolve: (body, datasets) => resolveRangeTest(body as LrRangeTestRequest, { limits: config.limits, countParams: countLayerParams, datasets }),
  });
}
