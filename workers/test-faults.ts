/**
 * TEST ONLY — faults injected into the training thread, for test/integration/thread-faults.test.ts.
 * Off unless the worker process's environment has LRF_TEST_THREAD_FAULTS=1 (the service never sets
 * it; nothing on the wire can): then a job whose request `seed` is one of FAULT_SEEDS fails in
 * its thread the way real faults do, so the test can show that each fails that job only.
 */
export const FAULT_SEEDS = {
  /** unbounded recursion: RangeError (Maximum call stack size exceeded) */
  stack_overflow: 9_000_001,
  /** a progress message structured clone cannot copy: DataCloneError from postMessage */
  uncloneable_progress: 9_000_002,
  /** a progress message nested too deep to clone: RangeError from postMessage */
  deep_progress: 9_000_003,
  /** a result nested too deep to serialise: RangeError from JSON.stringify */
  deep_result: 9_000_004,
  /** the thread's heap past LIMIT_WORKER_MEMORY_MB */
  out_of_memory: 9_000_005,
  /** the thread exits without a word */
  exit: 9_000_006,
  /** a throw of something that is not an Error */
  throw_string: 9_000_007,
} as const;

export type Fault = keyof typeof FAULT_SEEDS;

const ENABLED = process.env.LRF_TEST_THREAD_FAULTS === '1';

function deep(levels: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** The fault a request asks for, when faults are enabled; null otherwise (always, in the service). */
export function faultOf(request: unknown): Fault | null {
  if (!ENABLED || !request || typeof request !== 'object') return null;
  const seed = (request as { seed?: unknown }).seed;
  for (const [fault, s] of Object.entries(FAULT_SEEDS)) if (s === seed) return fault as Fault;
  return null;
}

/**
 * Acts out `fault` in the thread. `post` is the thread's postMessage; the returned value (deep_result)
 * replaces the job's result.
 */
export function actOut(fault: Fault, post: (msg: unknown) => void): unknown {
  switch (fault) {
    case 'stack_overflow': {
      const down = (n: number): number => down(n + 1) + 1;
      return down(0);
    }
    case 'uncloneable_progress':
      post({ type: 'progress', progress: { iteration: 1, callback: () => 1 } });
      return undefined;
    case 'deep_progress':
      post({ type: 'progress', progress: { iteration: 1, nested: deep(200_000) } });
      return undefined;
    case 'deep_result':
      return { nested: deep(200_000) };
    case 'out_of_memory': {
      const hold: number[][] = [];
      for (;;) hold.push(new Array(1 << 20).fill(1.5));
    }
    case 'exit':
      process.exit(7);
      return undefined;
    case 'throw_string':
      throw 'not an Error';
  }
}
