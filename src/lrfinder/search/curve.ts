/**
 * A candidate's loss curve, downsampled for the result: bucket i holds the mean minibatch loss of
 * steps [i·every, (i+1)·every), null when one of them was non-finite (or not reported). A
 * continued candidate appends to its curve, completing a partial last bucket.
 */

export const CURVE_POINTS = 50;

export function curveEvery(trainSteps: number): number {
  return Math.max(1, Math.ceil(trainSteps / CURVE_POINTS));
}

/** The curve after steps [from, from + losses.length) were appended; unknown losses (undefined) leave it as is. */
export function appendCurve(
  curve: readonly (number | null)[],
  every: number,
  from: number,
  losses: readonly (number | null)[] | undefined,
): (number | null)[] {
  const out = curve.slice();
  if (!losses || losses.length === 0) return out;
  // buckets before `from` that were never filled (steps not reported) stay null
  while (out.length < Math.ceil(from / every)) out.push(null);
  let step = from;
  let i = 0;
  while (i < losses.length) {
    const b = Math.floor(step / every);
    const start = b * every;
    const already = step - start; // steps of this bucket recorded before
    const take = Math.min(every - already, losses.length - i);
    let sum = 0;
    let bad = false;
    for (let j = 0; j < take; j++) {
      const l = losses[i + j];
      if (l === null || !Number.isFinite(l)) bad = true;
      else sum += l;
    }
    if (already > 0 && b < out.length) {
      const prev = out[b];
      out[b] = bad || prev === null ? null : (prev * already + sum) / (already + take);
    } else {
      out[b] = bad ? null : sum / take;
    }
    step += take;
    i += take;
  }
  return out;
}
