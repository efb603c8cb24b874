/**
 * The dense layer's fused kernels: biasAct, actBackward, sumRows and tanh against their float64
 * definitions (ACTIVATION_REF; torch.tanh / torch.sigmoid / relu), with tails (rows × cols not a multiple
 * of any vector width), NaN, -0, in-place calls and empty sizes.
 */
import { expect } from 'vitest';
import { FUSED_ACTIVATIONS } from '../../../src/core/kernels/contract.generated.js';
import { ACTIVATION_REF, ACTIVATION_TOL, fill, seeded } from '../reference.js';
import type { KernelCase } from './case.js';

/** |got − want| ≤ tol (NaN only for NaN); exact (Object.is: +0 ≠ −0) when tol = 0 */
function expectNear(got: number, want: number, tol: number, what: string): void {
  if (Number.isNaN(want)) {
    if (!Number.isNaN(got)) throw new Error(`${what}: ${got}, want NaN`);
    return;
  }
  if (tol === 0 ? !Object.is(got, Math.fround(want)) : !(Math.abs(got - want) <= tol)) {
    throw new Error(`${what}: ${got}, want ${want} (tolerance ${tol})`);
  }
}

export const BIAS_ACT_CASES: KernelCase[] = [
  ...FUSED_ACTIVATIONS.map((act): KernelCase => ({
    name: `${act}: z += bias exactly, y = ${act}(z) (7 × 37, with NaN, -0 and |z| up to 12)`,
    run(k) {
      const rows = 7,
        cols = 37,
        n = rows * cols,
        next = seeded(31);
      const z = fill(k.alloc(n), next, 12),
        bias = fill(k.alloc(cols), next),
        y = k.alloc(n);
      z[3] = Number.NaN;
      z[4] = -0;
      bias[4] = -0;
      z[5] = 0.0001;
      const z0 = z.slice();
      k.biasAct(z, y, bias, rows, cols, act);
      for (let i = 0; i < n; i++) {
        const v = Math.fround(z0[i] + bias[i % cols]);
        expectNear(z[i], v, 0, `${k.label} z[${i}]`);
        expectNear(y[i], ACTIVATION_REF[act].f(v), ACTIVATION_TOL[act], `${k.label} ${act} y[${i}] (z = ${v})`);
      }
    },
  })),
  {
    name: 'without bias, in place (y = z): relu by hand',
    run(k) {
      const z = k.alloc(6);
      z.set([-1, 2, -3, 4, -0, -0.5]);
      k.biasAct(z, z, null, 2, 3, 'relu');
      expect(Array.from(z)).toEqual([0, 2, 0, 4, 0, 0]);
      expect(Object.is(z[4], 0)).toBe(true); // relu(-0) = +0
    },
  },
  {
    name: 'rows = 0 or cols = 0 touches nothing',
    run(k) {
      const z = k.alloc(4),
        y = k.alloc(4),
        b = k.alloc(4);
      z.fill(2);
      y.fill(3);
      b.fill(1);
      k.biasAct(z, y, b, 0, 4, 'tanh');
      k.biasAct(z, y, b, 4, 0, 'relu');
      expect([...z, ...y]).toEqual([2, 2, 2, 2, 3, 3, 3, 3]);
    },
  },
];

export const ACT_BACKWARD_CASES: KernelCase[] = [
  ...FUSED_ACTIVATIONS.map((act): KernelCase => ({
    name: `${act}: dz = dy · ${act}′(z) at the forward's output (n = 301)`,
    run(k) {
      const n = 301,
        next = seeded(37);
      const z = fill(k.alloc(n), next, 4),
        dy = fill(k.alloc(n), next),
        dz = k.alloc(n);
      z[7] = -0;
      z[8] = 0;
      k.actBackward(dy, z, dz, n, act);
      const { f, df } = ACTIVATION_REF[act];
      // the derivative of an approximation within t of f is within 2t·|y| + 2 roundings of f′
      const tol = (i: number) => (ACTIVATION_TOL[act] * 3 + 2 ** -23) * Math.abs(dy[i]);
      const exact = act === 'identity' || act === 'relu';
      for (let i = 0; i < n; i++) expectNear(dz[i], dy[i] * df(f(z[i])), exact ? 0 : tol(i), `${k.label} dz[${i}]`);
    },
  })),
  {
    name: 'in place (dz = dy), and n = 0 touches nothing',
    run(k) {
      const z = k.alloc(5),
        g = k.alloc(5);
      z.set([-2, -1, 0, 1, 2]);
      g.set([1, 2, 3, 4, 5]);
      k.actBackward(g, z, g, 5, 'relu');
      expect(Array.from(g)).toEqual([0, 0, 0, 4, 5]);
      k.actBackward(z, z, g, 0, 'identity');
      expect(Array.from(g)).toEqual([0, 0, 0, 4, 5]);
    },
  },
];

export const SUM_ROWS_CASES: KernelCase[] = [
  {
    name: 'db[j] = float32 column sums in row order, written not accumulated (9 × 45, 1 × 3, 0 rows)',
    run(k) {
      const next = seeded(41);
      for (const [rows, cols] of [
        [9, 45],
        [1, 3],
        [0, 5],
      ]) {
        const dz = fill(k.alloc(rows * cols), next),
          db = k.alloc(cols);
        db.fill(99);
        k.sumRows(dz, db, rows, cols);
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s = Math.fround(s + dz[r * cols + j]);
          expect(db[j], `${k.label} ${rows}×${cols} db[${j}]`).toBe(s);
        }
      }
    },
  },
];

export const TANH_CASES: KernelCase[] = [
  {
    name: 'within 4e-7 of Math.tanh (absolute and relative) on [-10, 10], exact sign; ±1, 0 and NaN where due',
    run(k) {
      const n = 20_003;
      const x = k.alloc(n),
        y = k.alloc(n);
      for (let i = 0; i < n; i++) x[i] = -10 + (20 * i) / (n - 1);
      k.tanh(x, y, n);
      for (let i = 0; i < n; i++) {
        const t = Math.tanh(x[i]);
        if (!(Math.abs(y[i] - t) <= ACTIVATION_TOL.tanh * Math.min(1, Math.abs(t) || 1))) {
          throw new Error(`${k.label} tanh(${x[i]}) = ${y[i]}, want ${t}`);
        }
        if (Math.sign(y[i]) !== Math.sign(t)) throw new Error(`${k.label} sign of tanh(${x[i]})`);
      }
      const s = k.alloc(7),
        t = k.alloc(7);
      s.set([0, Infinity, -Infinity, 50, -50, 1e-30, Number.NaN]);
      k.tanh(s, t, 7);
      expect(Array.from(t.subarray(0, 6))).toEqual([0, 1, -1, 1, -1, Math.fround(1e-30)]);
      expect(t[6]).toBeNaN();
    },
  },
];
