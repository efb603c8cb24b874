/** A job whose request cannot run (bad data, inconsistent model): failed at once, never retried. */
export class JobInputError extends Error {
  override name = 'JobInputError';
}
