/** Drives the search engine on a benchmark setup + seed, answering trials from the disk cache. */
import { driveSearch } from '../../src/lrfinder/search/drive.js';
import { createSearch, searchResult, type SearchInput } from '../../src/lrfinder/search/engine.js';
import type { SearchResult, SearchState } from '../../src/lrfinder/search/types.js';
import type { SeedEnv } from './env.js';

export function runSearch(
  env: SeedEnv,
  input: Partial<SearchInput> = {},
): { result: SearchResult; state: SearchState } {
  const K = env.setup.train_steps;
  const resumable = input.resumable ?? true;
  env.cache.newSession(resumable);
  const start = createSearch({ train_steps: K, resumable, metric: env.setup.metric, ...input });
  const gen = driveSearch(start, {
    rangeTest: (o) => env.rangeTest(o),
    initialMetric: () => env.cache.initialMetric(),
    run: (lr, steps, evalAt) => env.cache.run(lr, steps, evalAt),
    release: (lr) => env.cache.release(lr),
  });
  let next = gen.next();
  while (!next.done) next = gen.next();
  env.cache.save();
  return { result: searchResult(next.value), state: next.value };
}
