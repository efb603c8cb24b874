/**
 * Seeded PRNG: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
 * seeded through splitmix32 so any integer seed (up to 2^53) gives a well-mixed 128-bit state.
 * Pure 32-bit integer math (Math.imul); the same seed gives bit-identical sequences everywhere.
 *
 * `fork(label)` derives an independent stream from the *root key* of this generator and the
 * label (not from its current position), so drawing more numbers from one stream (say, data
 * shuffling) never shifts another (say, weight init or dropout).
 */

export interface Rng {
  /** uniform double in [0, 1) with 53 random bits */
  next(): number;
  /** standard normal N(0, 1), Box–Muller; the second value of each pair is cached */
  normal(): number;
  /** uniform integer in [0, n), unbiased (rejection sampling); n ≤ 2^32 */
  int(n: number): number;
  /** Fisher–Yates shuffle in place; returns the array */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T;
  /** an independent stream named `label`, a pure function of (this stream's key, label) */
  fork(label: string): Rng;
  /** raw 32-bit unsigned output */
  nextU32(): number;
  /** where the stream is (its state words and the cached normal), to resume it in another process */
  save(): RngPosition;
  /** put the stream back where `save` found it */
  load(p: RngPosition): void;
}

/** A stream's position: plain JSON. */
export interface RngPosition {
  state: [number, number, number, number];
  /** the second Box–Muller value normal() keeps, or null */
  normal: number | null;
}

/** splitmix32 step: returns [new state, output] via a closure-free helper. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [s, z >>> 0];
}

/** FNV-1a over the UTF-16 code units of a string (32-bit). */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The 4-word key from which a stream's state is expanded. */
export type Key = [number, number, number, number];

function keyFromSeed(seed: number): Key {
  if (!Number.isFinite(seed)) throw new Error(`rng seed must be a finite number, got ${seed}`);
  const s = Math.trunc(Math.abs(seed));
  const lo = s >>> 0;
  const hi = Math.floor(s / 4294967296) >>> 0;
  const neg = seed < 0 ? 0x5bd1e995 : 0;
  return [lo, hi ^ neg, 0x243f6a88, 0x85a308d3];
}

function deriveKey(parent: Key, label: string): Key {
  const h = hashLabel(label);
  // start from the label alone: every parent word enters below (xor-ing parent[0] here as well
  // would cancel it out of the first round and make forks ignore the low seed word)
  let st = h | 0;
  const out: Key = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    let r: number;
    [st, r] = splitmix32(st ^ parent[i]);
    [st, r] = splitmix32((st + r) | 0);
    out[i] = (r ^ Math.imul(h, i + 1)) >>> 0;
  }
  return out;
}

function makeRng(key: Key): Rng {
  // expand key -> state with splitmix32
  let st = 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    let r: number;
    [st, r] = splitmix32((st ^ key[i]) | 0);
    [st, r] = splitmix32((st + r) | 0);
    words.push(r);
  }
  return fromState(words as Key, key);
}

/**
 * A stream from a raw xoshiro128** state (exported for the reference test vector; use createRng).
 * `key` is what fork() derives children from.
 */
export function fromState(state: Key, key: Key = state): Rng {
  let [s0, s1, s2, s3] = state.map((v) => v | 0);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // xoshiro must not start at all-zero
  let cachedNormal = 0;
  let hasCached = false;

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };

  const next = (): number => {
    const a = nextU32() >>> 5; // 27 bits
    const b = nextU32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  };

  const rng: Rng = {
    nextU32,
    next,
    normal(): number {
      if (hasCached) {
        hasCached = false;
        return cachedNormal;
      }
      const u1 = 1 - next(); // (0, 1]
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      cachedNormal = r * Math.sin(theta);
      hasCached = true;
      return r * Math.cos(theta);
    },
    int(n: number): number {
      if (!(n >= 1) || n > 4294967296 || !Number.isInteger(n))
        throw new Error(`rng.int(n): n must be an integer in [1, 2^32], got ${n}`);
      if (n === 1) return 0;
      // rejection: accept x < limit, where limit is the largest multiple of n ≤ 2^32
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = nextU32();
        if (x < limit) return x % n;
      }
    },
    shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
      for (let i = array.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = array[i];
        array[i] = array[j];
        array[j] = tmp;
      }
      return array;
    },
    fork(label: string): Rng {
      return makeRng(deriveKey(key, label));
    },
    save(): RngPosition {
      return { state: [s0, s1, s2, s3], normal: hasCached ? cachedNormal : null };
    },
    load(p: RngPosition): void {
      [s0, s1, s2, s3] = p.state.map((v) => v | 0);
      hasCached = p.normal !== null;
      cachedNormal = p.normal ?? 0;
    },
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator for `seed` (any integer; fractional parts are truncated). */
export function createRng(seed: number): Rng {
  return makeRng(keyFromSeed(seed));
}
