/**
 * The optimizer registry: every module is complete (its defaults are torch.optim's, its momentum
 * capability matches what its factory can set, its state layout is what it allocates), the
 * capabilities say what torch's cycling schedulers do with it, and no file outside the optimizer
 * modules and the registry names an optimizer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import {
  UNUSED_ARGS,
  createOptimizer,
  cycleMomentumProblem,
  findOptimizer,
  momentumSeriesProblem,
  optimizerModules,
  OPTIMIZER_NAMES,
  withFirstMomentum,
  type OptimizerArgs,
} from '../../../src/core/optimizers/index.js';
import type { OptimizerSpec } from '../../../src/core/spec.js';
import type { Param } from '../../../src/core/types.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * torch 1.13's `defaults` of each class, without lr and the implementation switches (maximize,
 * foreach, capturable, differentiable, fused) — printed by `/usr/bin/python3 -c "import torch;
 * p = [torch.nn.Parameter(torch.zeros(1))]; print(torch.optim.SGD(p, lr=0.1).defaults)"` (and Adam,
 * AdamW, RMSprop, Adagrad).
 */
const TORCH_DEFAULTS: Record<string, Record<string, unknown>> = {
  SGD: { momentum: 0, dampening: 0, weight_decay: 0, nesterov: false },
  Adam: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
  AdamW: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false },
  RMSprop: { momentum: 0, alpha: 0.99, eps: 1e-8, centered: false, weight_decay: 0 },
  Adagrad: { lr_decay: 0, eps: 1e-10, weight_decay: 0, initial_accumulator_value: 0 },
};

/** torch's optimizers with momentum or betas in `defaults` (what CyclicLR / OneCycleLR check) */
const CYCLABLE: Record<string, 'momentum' | 'betas'> = {
  SGD: 'momentum',
  Adam: 'betas',
  AdamW: 'betas',
  RMSprop: 'momentum',
};

const params = (): Param[] =>
  [3, 5].map((n, i) => ({
    name: `p${i}`,
    shape: [n],
    value: new Float32Array(n).fill(0.5),
    grad: new Float32Array(n).fill(0.1),
    decay: true,
  }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the optimizer registry', () => {
  it("has unique names, each module a torch.optim class with exactly that class's defaults", () => {
    const modules = optimizerModules();
    expect(new Set(OPTIMIZER_NAMES).size).toBe(modules.length);
    expect(new Set(modules.map((m) => m.torchClass))).toEqual(new Set(Object.keys(TORCH_DEFAULTS)));
    for (const m of modules) {
      expect(m.name).toBe(m.torchClass.toLowerCase());
      expect(m.defaults).toEqual(TORCH_DEFAULTS[m.torchClass]);
      for (const key of Object.keys(m.defaults)) expect(Object.keys(UNUSED_ARGS)).toContain(key);
      expect(findOptimizer(m.name)).toBe(m);
    }
  });

  it("gives every module a momentum capability that matches torch's and its optimizer", () => {
    for (const m of optimizerModules()) {
      expect(m.momentum?.param ?? null).toBe(CYCLABLE[m.torchClass] ?? null);
      const args: OptimizerArgs = { ...UNUSED_ARGS, ...m.defaults };
      // its defaults pass its own checks, and its factory allocates the layout it declares
      expect(m.check(args)).toBeNull();
      const ps = params();
      const made = m.create(args, ps, createScalarBackend());
      expect(made.state).toHaveLength(m.stateBuffers(args) * ps.length);
      expect(made.momentum !== undefined).toBe(m.momentum !== null);
      const opt = createOptimizer({ ...args, type: m.name, lr: 0.1 } as OptimizerSpec, params(), createScalarBackend());
      if (m.momentum) {
        expect(opt.momentum).toBe(m.momentum.param === 'betas' ? 0.9 : 0);
      } else {
        expect(opt.momentum).toBeNull();
        expect(() => opt.setMomentum(0.9)).toThrow(/no momentum or beta1/);
      }
    }
  });

  it("says which optimizers a momentum-cycling schedule cannot drive, in torch's words", () => {
    for (const name of OPTIMIZER_NAMES) {
      const problem = cycleMomentumProblem(name);
      if (name === 'adagrad') {
        expect(problem).toBe(
          'optimizer must support momentum or beta1 with `cycle_momentum` option enabled ' +
            '(Adagrad has neither; pass cycle_momentum: false)',
        );
      } else {
        expect(problem).toBeNull();
      }
    }
  });

  it('gives RMSprop the first momentum at construction, and refuses a later momentum > 0 after a first of 0', () => {
    const rms = { type: 'rmsprop' as const, momentum: 0 };
    expect(withFirstMomentum(rms, 0.95)).toEqual({ type: 'rmsprop', momentum: 0.95 });
    // SGD allocates its buffer either way; Adam's betas hold no buffer: left as requested
    const sgd = { type: 'sgd' as const, momentum: 0 };
    expect(withFirstMomentum(sgd, 0.95)).toBe(sgd);
    expect(momentumSeriesProblem('rmsprop', [0, 0, 0.5])).toBe(
      "RMSprop's momentum is 0 at the first step and 0.5 at step 2: torch allocates the momentum buffer only " +
        "when the first step has momentum > 0 (KeyError: 'momentum_buffer')",
    );
    expect(momentumSeriesProblem('rmsprop', [0.5, 0, 0.9])).toBeNull();
    expect(momentumSeriesProblem('rmsprop', [0, 0])).toBeNull();
    expect(momentumSeriesProblem('sgd', [0, 0.5])).toBeNull();
  });

  it('refuses an unknown name (no prototype lookups)', () => {
    for (const name of ['toString', '__proto__', 'SGD', 'lbfgs']) expect(findOptimizer(name)).toBeUndefined();
  });

  it('is the only place that names an optimizer: no file outside the optimizer modules compares or lists one', () => {
    const named = /(['"`])(sgd|adamw?|rmsprop|adagrad|SGD|AdamW?|RMSprop|Adagrad)\1/;
    const offenders: string[] = [];
    for (const dir of ['src', 'workers']) {
      for (const file of filesUnder(path.join(ROOT, dir))) {
        const rel = path.relative(ROOT, file);
        // the modules and the registry; presets are request bodies (what a client would send); the backend
        // kernel manifest names its update kernels after the algorithm (a kernel, not an optimizer choice)
        const exempt =
          rel.startsWith('src/core/optimizers/') ||
          rel.endsWith('presets.ts') ||
          rel === 'src/core/kernels/manifest.ts' ||
          rel === 'src/core/kernels/contract.generated.ts';
        if (exempt) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            // a type naming the backend's FusedKernels members ('sgd', 'adam') names kernels, not an optimizer choice
            if (named.test(line) && !line.includes('FusedKernels')) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });
});
