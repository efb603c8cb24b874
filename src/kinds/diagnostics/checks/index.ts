/** Training health checks (POST /v1/diagnostics): pure functions from measurements to a status, a summary and hints. */
export * from './types.js';
export { checkData, duplicateRows, featureStats, type DataCheckInput } from './data.js';
export { checkInit, chanceLoss, meanPredictionLoss, type InitCheckInput } from './init.js';
export { checkGradients } from './gradients.js';
export { checkOverfit, signChangeFraction, type OverfitDiagnosis, type OverfitInput } from './overfit.js';
