/** The LR search: an ask/tell engine (pure, JSON state), its driver, and the runner that trains its trials on the core
 * trainer. */
export * from './types.js';
export {
  createSearch,
  searchAsk,
  tellRangeTest,
  skipRangeTest,
  tellTrial,
  searchResult,
  defaultNumIter,
  SEARCH_DEFAULTS,
  type SearchInput,
} from './engine.js';
export { driveSearch, type SearchRunner, type SearchProgress } from './drive.js';
export {
  createTrialRunner,
  scheduleShape,
  metricOf,
  trainLossWindow,
  type TrialRunner,
  type TrialRunnerSetup,
  type RunnerReport,
} from './trial-runner.js';
export { RESUMABLE_PLAN, RESTART_PLAN, type RungPlan } from './plan.js';
export { confidenceP, CONFIDENCE_MODEL, LEVELS } from './confidence.js';
export { latticeLr, latticeIndex, STEPS_PER_DECADE, GRID_INDICES } from './lattice.js';
