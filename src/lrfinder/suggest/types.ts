/** What every suggestion method returns: a pick, or why there is none (never NaN, never throws). */
export type Suggestion = { lr: number; index: number } | { lr: null; index: null; reason: string };

export function noSuggestion(reason: string): Suggestion {
  return { lr: null, index: null, reason };
}

export function tooFewPoints(method: string, need: number, have: number, where: string): Suggestion {
  return noSuggestion(`${method} needs at least ${need} point${need === 1 ? '' : 's'} ${where}, got ${have}`);
}

/** A pick is only returned when its lr is a finite number. */
export function pick(lr: number, index: number, method: string): Suggestion {
  if (!Number.isFinite(lr))
    return noSuggestion(`${method} produced a non-finite learning rate (${lr}) at index ${index}`);
  return { lr, index };
}
