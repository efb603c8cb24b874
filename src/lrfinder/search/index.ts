/** The LR search: an ask/tell engine (pure, JSON state) and the runner that trains its trials on the core trainer. */
export * from './types.js';
export { createSearch, searchAsk, tellRangeTest, tellTrial, searchResult, SEARCH_DEFAULTS, type SearchInput } from './engine.js';
export { createTrialRunner, scheduleShape, metricOf, trainLossWindow, type TrialRunner, type TrialRunnerSetup, type RunnerReport } from './trial-runner.js';
export { latticeLr, latticeIndex, STEPS_PER_DECADE, GRID_INDICES } from './lattice.js';
