/**
 * Shapes of the LR search: its options, its state (plain JSON: a session keeps it in Redis between
 * reports), what it asks for, what it is told, and its result.
 */
import type { RangeTestOptions } from '../range-test.js';
import type { Suggestion, SuggestionMethodName } from '../suggest/index.js';
import type { CurveWarning } from '../warnings.js';
import type { RungPlan } from './plan.js';

/** What a trial measures at its last step: the validation loss, or the training loss (see trial-runner.ts). */
export type SearchMetric = 'val_loss' | 'train_loss';

export type TrialStopReason = 'completed' | 'diverged' | 'non_finite';

/** What a trial reports back to the engine (`searchTell`). Only `metric` is required. */
export interface TrialReport {
  /** the metric after the trial's steps; null (or omitted with `diverged`) when the run diverged or went non-finite */
  metric: number | null;
  /** steps the candidate has trained in total after the trial (default: the steps asked for; fewer when it stopped
   * early) */
  steps?: number;
  /** steps this trial ran (a continued candidate only runs the new ones; default: steps − from_steps) */
  steps_trained?: number;
  diverged?: boolean;
  stop_reason?: TrialStopReason;
  /** per-step minibatch losses of the steps this trial ran (null = non-finite), when known */
  losses?: (number | null)[];
  /** the metric at the trial's `eval_at` step counts, when measured */
  metrics_at?: { steps: number; metric: number | null }[];
  /** the candidate's LR (checked against the trial when given) */
  lr?: number;
}

/** A finished range test as the engine needs it (a range-test job's outcome or a sweep session's curve). */
export interface RangeTestCurve {
  lrs: number[];
  /** raw minibatch losses, null = non-finite */
  losses: (number | null)[];
  /** the recorded (EMA-smoothed) losses; computed with the options' smooth_f when omitted */
  smoothed_losses?: (number | null)[];
  stop_reason?: 'completed' | 'diverged' | 'non_finite' | 'stopped_by_client';
}

export interface SearchOptions {
  /** the number of optimizer steps the user will train for (the horizon every candidate is judged at) */
  train_steps: number;
  /** the most steps the search may spend, range test included (default 4 × train_steps) */
  budget_steps: number;
  /** LRs whose metric is within (1 + tolerance) of the best form the interval (default 0.10) */
  tolerance: number;
  /** true when the runner can continue a candidate from where it stopped (the job); false: every trial starts from the
   * initial weights (a client's own loop) */
  resumable: boolean;
  metric: SearchMetric;
  /** the range test to ask for */
  range_test: RangeTestOptions;
  /** the rung plan (./plan.ts), fixed when the search starts so a stored session keeps its own */
  plan: RungPlan;
}

export type CandidateReason = 'screen' | 'extend_low' | 'extend_up' | 'window' | 'probe';

export interface Candidate {
  /** index into `candidates` */
  id: number;
  /** lattice index: lr = 10^(k/24) */
  k: number;
  lr: number;
  reason: CandidateReason;
  /** human-readable: why it was tried */
  why: string;
  /** steps trained so far (the last trial's total) */
  steps: number;
  /** the metric after `steps` steps at each measured step count, ascending */
  metrics: { steps: number; metric: number | null }[];
  diverged: boolean;
  stop_reason: TrialStopReason | null;
  /** the minibatch losses, downsampled: mean of each bucket of `curve_every` steps */
  curve: (number | null)[];
  curve_every: number;
  /** may still be continued (the runner keeps its trainer) */
  open: boolean;
}

export interface Trial {
  /** unique within a search: "t<number>" */
  id: string;
  candidate: number;
  lr: number;
  /** train until the candidate has this many steps in total */
  steps: number;
  /** steps the candidate already has (0 = start from the initial weights) */
  from_steps: number;
  /** also measure the metric after these step counts (for the noise estimate) */
  eval_at: number[];
  reason: CandidateReason;
  why: string;
  rung: number;
}

export interface SearchState {
  version: 1;
  options: SearchOptions;
  phase: 'range_test' | 'trials' | 'done';
  range_test: RangeTestSummary | null;
  /** the metric at the initial weights (the regret floor is 0.002 × it); the range test's first loss when not told */
  initial_metric: number | null;
  /** index into the plan's rung fractions */
  rung: number;
  candidates: Candidate[];
  /** trials of the current rung not yet reported */
  pending: Trial[];
  /** LRs of candidates closed at the last rung change: the runner may free their trainers */
  release: number[];
  next_trial: number;
  cost: { range_test: number; trials: number };
  warnings: CurveWarning[];
}

export interface RangeTestSummary {
  lrs: number[];
  losses: (number | null)[];
  smoothed_losses: (number | null)[];
  stop_reason: string;
  suggestions: Partial<Record<SuggestionMethodName, Suggestion>>;
  /** the highest LR worth trying: where the range test diverged (or its last LR) */
  top_lr: number;
}

export type SearchAsk =
  | { type: 'range_test'; options: RangeTestOptions }
  | {
      type: 'trial';
      trial: Trial;
      /** candidates that will not be continued: their trainers may be freed */ release: number[];
    }
  | { type: 'done' };

export interface SearchCandidateResult {
  lr: number;
  why: string;
  reason: CandidateReason;
  steps: number;
  metric: number | null;
  /** the metric was measured at the full horizon */
  at_horizon: boolean;
  diverged: boolean;
  stop_reason: TrialStopReason | null;
  curve: (number | null)[];
  curve_every: number;
}

export type ConfidenceLevel = 'high' | 'medium' | 'low';

export interface SearchResult {
  recommended_lr: number | null;
  metric: SearchMetric;
  /** the recommended LR's metric at the horizon */
  recommended_metric: number | null;
  /** the metric at the initial weights (the comparison floor is 0.002 × it) */
  initial_metric: number | null;
  interval: { low: number; high: number } | null;
  confidence: { level: ConfidenceLevel; p_within_tolerance: number; noise: number; noise_source: 'measured' | 'prior' };
  candidates: SearchCandidateResult[];
  range_test: RangeTestSummary | null;
  cost: { steps: number; range_test_steps: number; trial_steps: number; budget_steps: number; grid_steps: number };
  train_steps: number;
  tolerance: number;
  warnings: CurveWarning[];
}
