/**
 * Group commit of job admissions: every admission submitted in one turn of the event loop (the
 * POSTs whose bodies arrived in the same I/O phase) goes to Redis in one MULTI, one write and one
 * round trip, flushed by setImmediate. With `appendfsync always` Redis fsyncs its AOF once per
 * event-loop cycle, so the batch shares one fsync; the client builds one transaction (ioredis
 * copies every script defined on the connection onto each transaction it makes) instead of one
 * per POST.
 *
 * Inside the MULTI each admission is its two commands as before, in submission order: the
 * admission script (quota, queue depth, index; see admission.ts) then BullMQ's add of the job,
 * then the admission's further commands (its fair placement among the waiting jobs, fairness.ts).
 * Redis runs the scripts of the batch one after the other, each seeing the admissions before it,
 * so the quota and the queue cap stay exact. Each admission gets its own two replies: an error in
 * one (a refused job, a failed add) is that request's answer alone. A failure of the whole
 * transaction is every request's answer: EXECABORT or a refused EXEC means none of them is queued;
 * an EXEC that got no answer, or a failed WAIT after it, means they may be (UncertainCommit).
 * An admission whose add could not be queued on the transaction never reaches Redis: the
 * transaction is built again without it.
 */

/**
 * The EXEC was sent but no answer came (the connection closed, the command timed out: the primary
 * died or failed over), or it succeeded and the replicas' WAIT after it failed: the batch may or
 * may not be in Redis. Failures before the EXEC left the client, and error replies (EXECABORT,
 * NOREPLICAS), are certain: nothing of the batch was written.
 */
export class UncertainCommit extends Error {
  constructor(override readonly cause: unknown) {
    super(`the transaction's outcome is unknown: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'UncertainCommit';
  }
}

/** ioredis refused to send (fail-fast producer, not connected), or Redis answered with an error. */
function certainlyNotCommitted(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ReplyError' || /isn't writeable/.test(err.message));
}

/** The transaction an admission is queued on: an ioredis MULTI with the admission commands defined. */
export interface AdmissionTransaction {
  /** commands queued so far (MULTI included) */
  readonly length: number;
  exec(): Promise<[Error | null, unknown][] | null>;
}

export interface Admission<T extends AdmissionTransaction> {
  /** queues the admission script on `tx` (one command) */
  admit(tx: T): void;
  /** queues the job's add on `tx` (one command, synchronously); the promise settles with the transaction */
  add(tx: T): Promise<unknown>;
  /** queues further commands of this admission after the add (synchronously): the job's fair placement (fairness.ts),
   * the webhook's pending entry */
  also?(tx: T): void;
}

interface Pending<T extends AdmissionTransaction> extends Admission<T> {
  resolve(replies: [unknown, unknown]): void;
  reject(err: unknown): void;
  /** where this admission's replies start in the EXEC's answer, and how many it has */
  at?: number;
  n?: number;
}

export class GroupCommit<T extends AdmissionTransaction> {
  private pending: Pending<T>[] = [];

  /**
   * @param multi opens a transaction on the producer connection
   * @param maxBatch admissions per MULTI at most (a MULTI holds Redis for its whole EXEC)
   * @param durable runs after a successful EXEC, before any admission of the batch is answered
   *   (the replicas' WAIT); when it throws, every admission of the batch fails with its error
   */
  constructor(
    private readonly multi: () => Promise<T>,
    private readonly maxBatch = 256,
    private readonly durable?: () => Promise<void>,
  ) {}

  /** Queues one admission; resolves with its two replies (the admission script's, the add's) once committed. */
  submit(a: Admission<T>): Promise<[unknown, unknown]> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ admit: a.admit, add: a.add, also: a.also, resolve, reject }) === 1)
        setImmediate(() => void this.flush());
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += this.maxBatch) void this.commit(all.slice(i, i + this.maxBatch));
  }

  private async commit(batch: Pending<T>[]): Promise<void> {
    try {
      let tx: T;
      for (;;) {
        tx = await this.multi();
        const bad = await this.build(tx, batch);
        if (bad < 0) break;
        batch = batch.filter((_, i) => i !== bad);
        if (batch.length === 0) return;
      }
      const res = await tx!.exec().catch((err: unknown) => {
        throw certainlyNotCommitted(err) ? err : new UncertainCommit(err);
      });
      if (!res) throw new Error('transaction aborted');
      await this.durable?.().catch((err: unknown) => {
        throw new UncertainCommit(err);
      });
      for (const p of batch) {
        const replies = res.slice(p.at!, p.at! + p.n!);
        const failed = replies.find((r) => r[0]);
        if (replies.length !== p.n || p.n! < 2) p.reject(new Error('transaction reply missing'));
        else if (failed) p.reject(failed[0]);
        else p.resolve([replies[0][1], replies[1][1]]);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  /**
   * Queues every admission of the batch on `tx`. Returns -1, or the index of the first admission
   * whose add was not queued (it threw or rejected before queueing): that one is rejected with its
   * error and the transaction must be discarded (its admission script is on it).
   */
  private async build(tx: T, batch: Pending<T>[]): Promise<number> {
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i];
      const before = tx.length;
      let failure: unknown = null;
      try {
        p.admit(tx);
        p.add(tx).catch((err: unknown) => {
          failure = err;
        });
      } catch (err) {
        failure = err;
      }
      if (tx.length !== before + 2 || failure !== null) {
        await Promise.resolve(); // a rejection before the add was queued has arrived by now
        p.reject(failure ?? new Error('the job could not be queued on the transaction'));
        return i;
      }
      p.also?.(tx);
      // tx.length counts the MULTI: the first command queued after it is reply 0
      p.at = before - 1;
      p.n = tx.length - before;
    }
    return -1;
  }
}
