/** Drives the search engine on a benchmark setup + seed, answering trials from the disk cache. */
import { createSearch, searchAsk, searchResult, tellRangeTest, tellTrial, type SearchInput } from '../../src/lrfinder/search/engine.js';
import type { SearchResult, SearchState } from '../../src/lrfinder/search/types.js';
import type { SeedEnv } from './env.js';

export function runSearch(env: SeedEnv, input: Partial<SearchInput> = {}): { result: SearchResult; state: SearchState } {
  const K = env.setup.train_steps;
  env.cache.newSession();
  let st = createSearch({ train_steps: K, resumable: true, metric: env.setup.metric, seed: env.seed, ...input });
  for (let guard = 0; guard < 1000; guard++) {
    const ask = searchAsk(st);
    if (ask.type === 'done') break;
    if (ask.type === 'range_test') {
      st = tellRangeTest(st, env.rangeTest(ask.options), env.cache.initialMetric());
      continue;
    }
    const t = ask.trial;
    const rep = env.cache.run(t.lr, t.steps, t.eval_at);
    // the cache reports a run from the initial weights; a continued trial only trains the new steps
    st = tellTrial(st, t.id, { ...rep, steps_trained: rep.steps! - t.from_steps });
  }
  env.cache.save();
  return { result: searchResult(st), state: st };
}
