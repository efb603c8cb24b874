/** Regression: fork() must depend on every word of the seed (it once ignored the low word, so seeds 0, 1, 2… trained
 * identically). */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';

describe('createRng(seed).fork(label)', () => {
  it('differs for seeds that differ only in the low word', () => {
    const draws = [0, 1, 2, 3, 4294967295].map((s) => createRng(s).fork('init').next());
    expect(new Set(draws).size).toBe(draws.length);
  });
  it('differs for seeds that differ only in the high word', () => {
    expect(
      createRng(2 ** 32)
        .fork('init')
        .next(),
    ).not.toBe(createRng(0).fork('init').next());
  });
  it('is a pure function of (seed, label)', () => {
    expect(createRng(7).fork('init').next()).toBe(createRng(7).fork('init').next());
    expect(createRng(7).fork('init').next()).not.toBe(createRng(7).fork('dropout').next());
  });
});
