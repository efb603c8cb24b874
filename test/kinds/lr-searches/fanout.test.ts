/**
 * The LR search fanned out (src/kinds/lr-searches/fanout.ts) as the workers run it, without Redis:
 * the start, each rung's tasks on fresh trial runners — run last to first, each continuation from
 * its carry after a v8 serialise/deserialise round trip (what goes through Redis) — then the
 * finish. Its result must be the whole job's (runJob), byte for byte, with dropout (the dropout
 * stream's position travels in the carry), a momentum-cycling schedule and either metric.
 */
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { findKind } from '../../../src/kinds/registry.js';
import type { FanTask } from '../../../src/kinds/kind.js';
import { runFanStep, runJob, type FanStepOutcome } from '../../../workers/run-job.js';
import { resolveContext } from '../../helpers/resolve.js';

function drain<R>(gen: Generator<unknown, R>): R {
  let next = gen.next();
  while (!next.done) next = gen.next();
  return next.value;
}

function whole(request: unknown): string {
  return JSON.stringify(drain(runJob('lr-searches', request)));
}

type Stepped = Extract<FanStepOutcome, { value: unknown }>;

function fannedOut(request: unknown): { result: string; tasks: number; continued: number } {
  const fan = findKind('lr-searches')!.fanout!;
  const started = drain(runFanStep('lr-searches', request, { type: 'start' })) as Stepped;
  let state = JSON.parse(JSON.stringify(started.value)) as unknown;
  const carries = new Map<string, Buffer>();
  let tasks = 0;
  let continued = 0;
  for (let batch: FanTask[] = fan.tasks(state); batch.length > 0; batch = fan.tasks(state)) {
    const outputs: unknown[] = new Array(batch.length);
    for (let i = batch.length - 1; i >= 0; i--) {
      const t = batch[i];
      const carry = t.after === null ? null : deserialize(carries.get(t.after)!);
      if (t.after !== null) continued++;
      const o = drain(runFanStep('lr-searches', request, { type: 'task', task: t, carry })) as Stepped;
      if (o.carry) carries.set(t.id, serialize(o.carry));
      outputs[i] = JSON.parse(JSON.stringify(o.value));
      tasks++;
    }
    state = JSON.parse(JSON.stringify(fan.tell(state, outputs)));
    const keep = new Set(fan.keep(state));
    for (const id of [...carries.keys()]) if (!keep.has(id)) carries.delete(id);
  }
  const finish = { type: 'finish' as const, state, backend: started.backend };
  const done = drain(runFanStep('lr-searches', request, finish)) as { result: unknown };
  return { result: JSON.stringify(done.result), tasks, continued };
}

const resolve = (body: Record<string, unknown>): unknown =>
  JSON.parse(JSON.stringify(findKind('lr-searches')!.resolve(body, resolveContext())));

describe('lr-searches fanned out', () => {
  it("gives the whole job's result, byte for byte, continuing survivors from their carries", () => {
    const req = resolve({
      preset: null,
      data: { name: 'moons', n_samples: 300, noise: 0.2 },
      model: { hidden: [16], activation: 'tanh' },
      optimizer: { type: 'sgd', momentum: 0.9 },
      batch_size: 32,
      train_steps: 80,
    });
    const f = fannedOut(req);
    expect(f.result).toBe(whole(req));
    expect(f.continued).toBeGreaterThan(0);
    expect(f.tasks).toBeGreaterThan((JSON.parse(f.result) as { candidates: unknown[] }).candidates.length);
  });

  it('carries the dropout stream and the minibatch order: the same with dropout, OneCycleLR and train_loss', () => {
    const req = resolve({
      preset: null,
      data: { name: 'spirals', n_samples: 200 },
      batch_size: 16,
      train_steps: 96,
      metric: 'train_loss',
      model: {
        layers: [
          { type: 'dense', units: 24, activation: 'relu' },
          { type: 'dropout', p: 0.2 },
          { type: 'dense', units: 3 },
        ],
      },
      optimizer: { type: 'adamw', weight_decay: 0.01 },
      schedule: { type: 'OneCycleLR', max_lr: 0.1, total_steps: 96 },
    });
    const f = fannedOut(req);
    expect(f.continued).toBeGreaterThan(0);
    expect(f.result).toBe(whole(req));
  });
});
