/** Shared bits of the request-resolution tests: a resolve context from env, and "this throws a problem". */
import { loadConfig } from '../../src/config.js';
import { countLayerParams } from '../../src/contracts/params.js';
import { ProblemError } from '../../src/contracts/problems.js';

export const resolveContext = (env: Record<string, string> = {}) => ({
  limits: loadConfig(env).limits,
  countParams: countLayerParams,
});

/** The ProblemError `fn` throws; fails the test when it throws nothing or something else. */
export function problem(fn: () => unknown): ProblemError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('expected a ProblemError');
}
