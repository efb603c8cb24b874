/**
 * The global guard: new writes are refused (503 `storage_full` + Retry-After) once Redis uses
 * LIMIT_REDIS_MEMORY_FRACTION of its `maxmemory`, before a burst can fill it — with `noeviction`
 * (which /readyz requires) a full Redis refuses every tenant's writes, and the workers' results.
 * The margin left is for what must still be written: results of accepted jobs, their final
 * states, deletes.
 *
 * `used_memory` and `maxmemory` come from one `INFO memory`, sampled at most once per
 * `sampleMs` (one second) and shared by every request in between, so the guard costs one small
 * command per second at most. Redis without maxmemory (0 = unlimited, the embedded redis-server's
 * and docker-compose's default): the guard compares with LIMIT_REDIS_MEMORY_BYTES when set, else
 * with the memory of Redis's host (`total_system_memory`, from the same INFO), the most Redis can
 * use before the kernel's OOM killer decides.
 */
import type { Redis } from 'ioredis';
import { ProblemError } from '../contracts/problems.js';

export interface MemoryGuardOptions {
  /** LIMIT_REDIS_MEMORY_FRACTION */
  fraction: number;
  /** LIMIT_REDIS_MEMORY_BYTES: the memory to compare with when Redis has no maxmemory; 0 = Redis's host memory then */
  fallbackBytes: number;
  /** how old a sample may be, ms */
  sampleMs?: number;
}

export interface MemorySample {
  at: number;
  used: number;
  /** the memory compared with: maxmemory, else the fallback, else the host's memory; 0 (none known) = no guard */
  max: number;
  /** where `max` comes from, for the message */
  source: 'maxmemory' | 'LIMIT_REDIS_MEMORY_BYTES' | 'total_system_memory';
}

function field(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  return m ? Number(m[1]) : 0;
}

export class MemoryGuard {
  private last: MemorySample | null = null;
  private pending: Promise<MemorySample> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly opts: MemoryGuardOptions,
  ) {}

  /** The latest sample, refreshed when older than sampleMs (concurrent callers share one INFO). */
  async sample(now = Date.now()): Promise<MemorySample> {
    if (this.last && now - this.last.at < (this.opts.sampleMs ?? 1000)) return this.last;
    this.pending ??= this.redis
      .info('memory')
      .then((info) => {
        const maxmemory = field(info, 'maxmemory');
        const used = field(info, 'used_memory');
        this.last =
          maxmemory > 0
            ? { at: Date.now(), used, max: maxmemory, source: 'maxmemory' }
            : this.opts.fallbackBytes > 0
              ? { at: Date.now(), used, max: this.opts.fallbackBytes, source: 'LIMIT_REDIS_MEMORY_BYTES' }
              : { at: Date.now(), used, max: field(info, 'total_system_memory'), source: 'total_system_memory' };
        return this.last;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  /** Throws 503 storage_full when Redis is past the threshold. */
  async check(): Promise<void> {
    const s = await this.sample();
    if (s.max <= 0) return;
    const threshold = Math.floor(s.max * this.opts.fraction);
    if (s.used >= threshold) {
      throw new ProblemError(
        503,
        'storage_full',
        'Storage full',
        `the service's Redis uses ${s.used} of the ${threshold} bytes it may fill with new data (LIMIT_REDIS_MEMORY_FRACTION ${this.opts.fraction} of its ${s.source} ${s.max}); ` +
          'nothing was stored; reads and deletes still work, retry later',
        [],
        { 'retry-after': '30' },
      );
    }
  }
}
