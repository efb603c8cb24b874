/** A curve analysis request answered (pure): the checks its schema cannot express, then every requested suggestion method. */
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { analyzeCurve } from '../../lrfinder/index.js';
import type { CurveAnalysisRequest } from './contract.js';

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

/** The analysis of a validated body, at most `limitPoints` points (LIMIT_NUM_ITER); throws 400 problems. */
export function analyzeCurveRequest(b: CurveAnalysisRequest, limitPoints: number) {
  checkCurveRequest(b, limitPoints);
  return analyzeCurve({
    lrs: b.lrs,
    losses: b.losses,
    suggestion: b.suggestion,
    methods: b.methods,
    skip_start: b.skip_start,
    skip_end: b.skip_end,
    num_it: b.num_iter,
  });
}
