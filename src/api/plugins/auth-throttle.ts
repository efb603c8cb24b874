/**
 * A token bucket per client address for failed authentications, in memory (per API process):
 * `burst` failures at once, refilled at `perMinute`. An address with an empty bucket is refused
 * (429) until one token is back. Only failures take tokens, so callers with a valid key are never
 * slowed down. At most `maxAddresses` buckets are kept; the oldest is dropped first (a dropped
 * address starts again with a full bucket).
 */
export class AuthThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly burst: number,
    perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses = 10_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  private level(addr: string): { tokens: number; at: number } | undefined {
    const b = this.buckets.get(addr);
    if (!b) return undefined;
    const t = this.now();
    b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.perMs);
    b.at = t;
    if (b.tokens >= this.burst) {
      this.buckets.delete(addr);
      return undefined;
    }
    return b;
  }

  /** Whole seconds until `addr` may try again; 0 when it may now. */
  blockedFor(addr: string): number {
    const b = this.level(addr);
    if (!b || b.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
  }

  /** Records one failed authentication of `addr`. */
  fail(addr: string): void {
    let b = this.level(addr);
    if (!b) {
      if (this.buckets.size >= this.maxAddresses) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = { tokens: this.burst, at: this.now() };
      this.buckets.set(addr, b);
    }
    b.tokens = Math.max(0, b.tokens - 1);
  }
}
