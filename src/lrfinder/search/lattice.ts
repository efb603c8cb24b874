/**
 * The LR lattice of the search: every LR it proposes is 10^(k/24) for an integer k (24 points per
 * decade, neighbours 10% apart — finer than any difference a training run resolves). Proposals on
 * a lattice make equal requests give equal LRs bit for bit, let a candidate be recognised when it
 * is proposed again, and contain the benchmark's half-decade grid 1e-5 … 10 (k = -120, -108, …, 24).
 */
export const STEPS_PER_DECADE = 24;

export function latticeLr(k: number): number {
  return 10 ** (k / STEPS_PER_DECADE);
}

/** the nearest lattice index of an LR */
export function latticeIndex(lr: number): number {
  return Math.round(Math.log10(lr) * STEPS_PER_DECADE);
}

/** the 13-point half-decade grid 1e-5 … 10 the benchmark measures regret against */
export const GRID_INDICES: readonly number[] = Array.from({ length: 13 }, (_, j) => -120 + 12 * j);
