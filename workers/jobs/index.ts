/** Job runners by kind: each is a generator of progress that returns the job's result. */
import type { JobKind } from '../../src/contracts/job.js';
import type { ResolvedRangeTest } from '../../src/contracts/resolve.js';
import type { ResolvedScheduleSimulation } from '../../src/kinds/schedule-simulations/resolve.js';
import type { ResolvedDiagnostics } from '../../src/kinds/diagnostics/resolve.js';
import { chooseBackend } from '../backend.js';
import { loadIoDataset, type UploadRows } from '../datasets.js';
import { runLrRangeTest } from '../../src/kinds/lr-range-tests/run.js';
import { runScheduleSimulation } from '../../src/kinds/schedule-simulations/run.js';
import { runDiagnostics } from '../../src/kinds/diagnostics/run.js';
import { JobInputError } from './errors.js';

type Runner = (request: unknown, upload?: UploadRows) => Generator<Record<string, unknown>, unknown>;

const RUNNERS: Partial<Record<JobKind, Runner>> = {
  'lr-range-tests': (request, upload) => runLrRangeTest(request as ResolvedRangeTest, {
    backend: chooseBackend,
    dataset: (req) => loadIoDataset(req.data, req.seed, upload),
  }),
  'schedule-simulations': (request, upload) => runScheduleSimulation(request as ResolvedScheduleSimulation, {
    backend: chooseBackend,
    dataset: (req) => loadIoDataset(req.train.data, req.train.seed, upload),
  }),
  diagnostics: (request, upload) => runDiagnostics(request as ResolvedDiagnostics, {
    backend: chooseBackend,
    dataset: (req) => loadIoDataset(req.data, req.seed, upload),
  }),
};

export const RUNNABLE_KINDS = Object.keys(RUNNERS) as JobKind[];

export function runJob(kind: JobKind, request: unknown, upload?: UploadRows): Generator<Record<string, unknown>, unknown> {
  const runner = RUNNERS[kind];
  if (!runner) throw new JobInputError(`no runner for job kind ${kind}`);
  return runner(request, upload);
}
