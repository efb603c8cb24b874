/**
 * An offload thread of the API (./pool.ts): one task at a time, answered with its value, its
 * problem (a ProblemError: the client's 4xx) or an error message (a bug: the route's 500).
 */
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ProblemError } from '../../contracts/problems.js';
import type { Reply, Task } from './protocol.js';
import { runUpload, runView } from './tasks.js';

// On Linux a nice value is per thread: this thread yields the CPU to the API's event loop (and
// to other processes' more urgent work) when the cores are contended. Elsewhere it may renice the
// whole process or be refused; then it is left as it is.
if (process.platform === 'linux') {
  try {
    os.setPriority(0, 10);
  } catch {
    /* not permitted: keep the default priority */
  }
}

parentPort!.on('message', ({ id, task }: { id: number; task: Task }) => {
  let reply: Reply;
  const transfer: ArrayBuffer[] = [];
  try {
    if (task.op === 'upload') {
      const done = runUpload(task);
      transfer.push(done.rows.buffer as ArrayBuffer);
      reply = { id, ok: true, value: done };
    } else if (task.op === 'view') {
      reply = { id, ok: true, value: runView(task) };
    } else {
      reply = { id, ok: false, error: `unknown task ${(task as { op?: unknown }).op}` };
    }
  } catch (err) {
    if (err instanceof ProblemError) {
      reply = {
        id,
        ok: false,
        problem: {
          status: err.status,
          code: err.code,
          title: err.title,
          detail: err.message,
          errors: err.errors,
          headers: err.headers,
        },
      };
    } else {
      const e = err as Error;
      reply = { id, ok: false, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}` };
    }
  }
  parentPort!.postMessage(reply, transfer);
});
