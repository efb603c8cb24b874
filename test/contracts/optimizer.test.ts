/**
 * The optimizer on the wire and its resolution follow the registry: the schema lists its names
 * and exactly the arguments its modules take; resolution echoes a class's own arguments with
 * torch.optim's defaults and refuses the others, naming the pointer.
 */
import { describe, expect, it } from 'vitest';
import { Optimizer, optimizerArguments } from '../../src/contracts/optimizer.js';
import { completeOptimizer, resolveOptimizer } from '../../src/contracts/resolve-optimizer.js';
import { ProblemError } from '../../src/contracts/problems.js';
import { DEFAULT_OPTIMIZER, OPTIMIZER_NAMES } from '../../src/core/optimizers/index.js';

function problem(fn: () => unknown): ProblemError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('no problem thrown');
}

describe('the Optimizer schema', () => {
  it('is built from the registry: its names, its default and the arguments its modules take', () => {
    // as JSON, as the OpenAPI document shows it
    type Prop = { enum?: string[]; default?: string };
    const props: Record<string, Prop> = JSON.parse(JSON.stringify(Optimizer.properties));
    expect(props.type.enum).toEqual([...OPTIMIZER_NAMES]);
    expect(props.type.default).toBe(DEFAULT_OPTIMIZER);
    expect(
      Object.keys(props)
        .filter((k) => k !== 'type')
        .sort(),
    ).toEqual(optimizerArguments().sort());
  });
});

describe('resolveOptimizer', () => {
  it("echoes the class's own arguments with torch.optim's defaults, in its constructor's order", () => {
    expect(resolveOptimizer(undefined)).toEqual({
      type: 'adam',
      betas: [0.9, 0.999],
      eps: 1e-8,
      weight_decay: 0,
      amsgrad: false,
    });
    const adamw = resolveOptimizer({ type: 'adamw', eps: 1e-6 });
    expect(adamw).toEqual({ type: 'adamw', betas: [0.9, 0.999], eps: 1e-6, weight_decay: 0.01, amsgrad: false });
    expect(Object.keys(resolveOptimizer({ type: 'rmsprop' }))).toEqual([
      'type',
      'alpha',
      'eps',
      'weight_decay',
      'momentum',
      'centered',
    ]);
  });

  it('refuses an argument the class does not take, naming it and what it takes', () => {
    const p = problem(() => resolveOptimizer({ type: 'adagrad', momentum: 0.9 }));
    expect(p.errors[0].pointer).toBe('/optimizer/momentum');
    expect(p.errors[0].detail).toBe(
      "torch.optim.Adagrad has no argument 'momentum' " +
        '(it takes lr_decay, weight_decay, initial_accumulator_value, eps)',
    );
  });

  it("runs the class's constructor checks (torch.optim.SGD: Nesterov needs momentum and zero dampening)", () => {
    const noMomentum = problem(() => resolveOptimizer({ type: 'sgd', nesterov: true }));
    expect(noMomentum.errors[0].pointer).toBe('/optimizer/nesterov');
    const damped = problem(() => resolveOptimizer({ type: 'sgd', nesterov: true, momentum: 0.9, dampening: 0.1 }));
    expect(damped.errors[0].detail).toBe('Nesterov momentum requires a momentum and zero dampening');
    expect(resolveOptimizer({ type: 'sgd', nesterov: true, momentum: 0.9 }).nesterov).toBe(true);
  });

  it("completes a spec for the core with the class's defaults, even from an echo missing some", () => {
    const spec = completeOptimizer({ type: 'adamw' }, 0.01);
    expect(spec).toMatchObject({
      type: 'adamw',
      lr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weight_decay: 0.01,
      amsgrad: false,
    });
  });
});
