/**
 * Handing running jobs back on shutdown (SIGTERM: `docker stop`, a rolling deploy). A job that
 * cannot finish within the worker's stop grace (WORKER_STOP_GRACE_MS) is handed back at once:
 * its training thread is stopped and the processor moves the job from active back to waiting
 * with its lock token (BullMQ `job.moveToWait`), so another worker starts it immediately instead
 * of after the stalled-job check (LOCK_DURATION_MS + STALLED_INTERVAL_MS, ~45 s by default).
 * Jobs whose progress says they finish within the grace are left to finish; a job whose progress
 * gives no rate yet (fewer than two progress points) is given the grace and handed back at its end.
 */

/** the abort reason of a handed-back job (the processor tells it from a cancel by identity) */
export const HANDBACK = 'worker stopping: job handed back to the queue';

interface Tracked {
  controller: AbortController;
  /** the first progress point (performance.now(), iteration): the rate is measured from it, not from the job's start,
   * which includes the thread's start-up */
  t0: number;
  i0: number;
  iteration: number;
  total: number;
}

export class Handback {
  private readonly jobs = new Map<string, Tracked>();
  /** set by stop(): the time (performance.now()) by which running jobs must be done or handed back */
  private deadline: number | null = null;
  private timer: NodeJS.Timeout | undefined;

  /** a job's training started (its controller aborts the thread) */
  track(id: string, controller: AbortController): void {
    this.jobs.set(id, { controller, t0: 0, i0: -1, iteration: 0, total: 0 });
    if (this.deadline !== null) this.judge(id);
  }

  progress(id: string, p: { iteration?: unknown; total?: unknown }): void {
    const j = this.jobs.get(id);
    if (!j) return;
    if (typeof p.iteration === 'number' && typeof p.total === 'number') {
      if (j.i0 < 0) {
        j.t0 = performance.now();
        j.i0 = p.iteration;
      }
      j.iteration = p.iteration;
      j.total = p.total;
    }
    if (this.deadline !== null) this.judge(id);
  }

  untrack(id: string): void {
    this.jobs.delete(id);
  }

  /** was this controller aborted to hand its job back (rather than canceled or timed out)? */
  static handedBack(signal: AbortSignal): boolean {
    return signal.aborted && signal.reason === HANDBACK;
  }

  /**
   * The worker is stopping: hand back now every running job that cannot finish within `graceMs`,
   * and at the end of the grace whatever still runs.
   */
  stop(graceMs: number): void {
    if (this.deadline !== null) return;
    this.deadline = performance.now() + graceMs;
    for (const id of [...this.jobs.keys()]) this.judge(id);
    this.timer = setTimeout(() => {
      for (const id of [...this.jobs.keys()]) this.handBack(id);
    }, graceMs);
    this.timer.unref();
  }

  /** hand the job back if its rate so far says it cannot finish before the deadline */
  private judge(id: string): void {
    const j = this.jobs.get(id);
    if (!j || this.deadline === null) return;
    const now = performance.now();
    if (now >= this.deadline) return this.handBack(id);
    if (j.i0 < 0 || j.iteration <= j.i0 || j.total <= 0) return; // no rate yet: the deadline decides
    const remainingMs = ((now - j.t0) / (j.iteration - j.i0)) * (j.total - j.iteration);
    if (now + remainingMs > this.deadline) this.handBack(id);
  }

  private handBack(id: string): void {
    const j = this.jobs.get(id);
    if (!j) return;
    this.jobs.delete(id);
    j.controller.abort(HANDBACK);
  }
}
