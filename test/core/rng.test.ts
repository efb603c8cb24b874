import { describe, expect, it } from 'vitest';
import { createRng, fromState } from '../../src/core/rng.js';

const take = (f: () => number, n: number) => Array.from({ length: n }, f);

describe('rng (xoshiro128** seeded by splitmix32)', () => {
  it('same seed → bit-identical sequences; different seeds differ', () => {
    const a = createRng(42),
      b = createRng(42),
      c = createRng(43);
    const sa = take(a.next, 100),
      sb = take(b.next, 100),
      sc = take(c.next, 100);
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    expect(take(createRng(2 ** 40 + 1).next, 5)).not.toEqual(take(createRng(1).next, 5)); // high bits matter
    expect(take(createRng(-1).next, 5)).not.toEqual(take(createRng(1).next, 5));
  });
  it('next() is uniform in [0, 1)', () => {
    const r = createRng(1);
    const xs = take(r.next, 100000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005); // σ/√n ≈ 0.0009
    const bins = new Array(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]++;
    // χ² with 9 dof: 99.9th percentile ≈ 27.9
    const chi2 = bins.reduce((a, o) => a + (o - 10000) ** 2 / 10000, 0);
    expect(chi2).toBeLessThan(27.9);
  });
  it('normal() has mean 0, variance 1 and caches the second Box–Muller value', () => {
    const r = createRng(7);
    const xs = take(r.normal, 100000);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.015);
    expect(Math.abs(v - 1)).toBeLessThan(0.02);
    // one pair of normals consumes exactly two uniforms (four u32 draws)
    const p = createRng(9),
      q = createRng(9);
    p.normal();
    p.normal();
    q.next();
    q.next();
    expect(p.next()).toBe(q.next());
  });
  it('int(n) covers [0, n) evenly and rejects bad n', () => {
    const r = createRng(3);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
    expect(() => r.int(0)).toThrow();
    expect(() => r.int(2.5)).toThrow();
  });
  it('shuffle is a seeded permutation', () => {
    const a = createRng(5).shuffle(Array.from({ length: 50 }, (_, i) => i));
    const b = createRng(5).shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const t = createRng(5).shuffle(Float32Array.from([1, 2, 3, 4]));
    expect(Array.from(t).sort()).toEqual([1, 2, 3, 4]);
  });
  it('fork(label) streams are independent of the parent position and of each other', () => {
    const r1 = createRng(11),
      r2 = createRng(11);
    take(r2.next, 1000); // consume the parent
    expect(take(r1.fork('init').next, 10)).toEqual(take(r2.fork('init').next, 10));
    expect(take(r1.fork('init').next, 10)).not.toEqual(take(r1.fork('data').next, 10));
    expect(take(r1.fork('init').next, 10)).not.toEqual(take(r1.next, 10));
    expect(take(createRng(12).fork('init').next, 10)).not.toEqual(take(createRng(11).fork('init').next, 10));
    expect(take(r1.fork('a').fork('b').next, 5)).toEqual(take(createRng(11).fork('a').fork('b').next, 5));
  });
  it('xoshiro128** core matches the reference algorithm (state [1, 2, 3, 4] → 11520, 0, 5927040)', () => {
    // hand-run of xoshiro128starstar.c: result = rotl(s1·5, 7)·9, then the state update
    const r = fromState([1, 2, 3, 4]);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([11520, 0, 5927040]);
  });
  it('pins the stream (a changed generator would silently change every seeded result)', () => {
    const r = createRng(0);
    const first = [r.nextU32(), r.nextU32(), r.nextU32()];
    expect(first).toEqual(PINNED);
  });
});

/** regression pin (values produced by this implementation at seed 0) */
const PINNED: number[] = [4206912521, 4260208838, 2887286195];
