/**
 * The TensorFlow.js 4.22 side of bench/train-step.ts: the same MLPs as tf.layers models trained
 * with optimizer.minimize (stock), or as core-API dense layers whose gradient is a
 * tf.customGrad with explicit transposes (performance.md §2.2).
 */
import { createRequire } from 'node:module';
import type { Dataset } from '../src/core/spec.js';

type TF = typeof import('@tensorflow/tfjs');
type Tensor = import('@tensorflow/tfjs').Tensor;
const require = createRequire(import.meta.url);

/** what the tfjs builders need of a benchmark configuration */
export interface TfConfig {
  sizes: number[];
  activation: 'relu' | 'tanh';
  batch: number;
}

let tfCache: TF | null = null;
export function loadTf(): TF {
  if (!tfCache) {
    tfCache = require('@tensorflow/tfjs') as TF;
    require('@tensorflow/tfjs-backend-wasm'); // registers the 'wasm' backend
  }
  return tfCache;
}

export interface TfBatch {
  x: Tensor;
  y: Tensor;
}

export function tfBatches(tf: TF, c: TfConfig, ds: Dataset, count = 16): TfBatch[] {
  const f = ds.features,
    C = ds.outputs,
    B = c.batch;
  const out: TfBatch[] = [];
  for (let i = 0; i < count; i++) {
    const x = new Float32Array(B * f),
      y = new Float32Array(B * C);
    for (let r = 0; r < B; r++) {
      const row = (i * B + r) % ds.rows;
      x.set(ds.x.subarray(row * f, (row + 1) * f), r * f);
      y[r * C + ds.y[row]] = 1;
    }
    out.push({ x: tf.tensor2d(x, [B, f]), y: tf.tensor2d(y, [B, C]) });
  }
  return out;
}

/** Stock tfjs: tf.sequential of tf.layers.dense, Adam, optimizer.minimize, loss read back. */
export function tfStockStep(
  tf: TF,
  c: TfConfig,
  lr: number,
  batches: TfBatch[],
): { step: () => number; dispose: () => void } {
  const model = tf.sequential();
  for (let i = 1; i < c.sizes.length; i++) {
    model.add(
      tf.layers.dense({
        units: c.sizes[i],
        activation: i === c.sizes.length - 1 ? 'linear' : c.activation,
        ...(i === 1 ? { inputShape: [c.sizes[0]] } : {}),
      }),
    );
  }
  const opt = tf.train.adam(lr, 0.9, 0.999, 1e-7);
  let it = 0;
  return {
    step: () => {
      const b = batches[it++ % batches.length];
      const cost = opt.minimize(
        () => tf.losses.softmaxCrossEntropy(b.y, model.apply(b.x) as Tensor) as import('@tensorflow/tfjs').Scalar,
        true,
      )!;
      const v = cost.dataSync()[0];
      cost.dispose();
      return v;
    },
    dispose: () => {
      model.dispose();
      opt.dispose();
    },
  };
}

/**
 * tfjs core API, each dense layer a tf.customGrad with explicit transposes:
 *   dx = dy·transpose(W), dW = transpose(x)·dy, db = Σ_rows dy  (W stored in×out as tfjs does).
 * The first layer returns a zero dx instead of computing it (tfjs needs a gradient per input).
 */
export function tfCustomGradStep(
  tf: TF,
  c: TfConfig,
  lr: number,
  batches: TfBatch[],
): { step: () => number; dispose: () => void } {
  const vars: import('@tensorflow/tfjs').Variable[] = [];
  const layers: {
    w: import('@tensorflow/tfjs').Variable;
    b: import('@tensorflow/tfjs').Variable;
    f: (...t: Tensor[]) => Tensor;
  }[] = [];
  for (let i = 1; i < c.sizes.length; i++) {
    const fanIn = c.sizes[i - 1],
      out = c.sizes[i];
    const lim = Math.sqrt(6 / (fanIn + out));
    const w = tf.variable(tf.randomUniform([fanIn, out], -lim, lim));
    const b = tf.variable(tf.zeros([out]));
    vars.push(w, b);
    const first = i === 1;
    const f = tf.customGrad(((x: Tensor, wt: Tensor, bt: Tensor, save: (t: Tensor[]) => void) => {
      save([x, wt]);
      return {
        value: tf.add(tf.matMul(x, wt), bt),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [xs, ws] = saved;
          return [
            first ? tf.zerosLike(xs) : tf.matMul(dy, tf.transpose(ws)),
            tf.matMul(tf.transpose(xs), dy),
            tf.sum(dy, 0),
          ];
        },
      };
    }) as unknown as Parameters<TF['customGrad']>[0]) as unknown as (...t: Tensor[]) => Tensor;
    layers.push({ w, b, f });
  }
  const opt = tf.train.adam(lr, 0.9, 0.999, 1e-7);
  const act = c.activation === 'relu' ? tf.relu : tf.tanh;
  let it = 0;
  return {
    step: () => {
      const bt = batches[it++ % batches.length];
      const cost = opt.minimize(
        () => {
          let h: Tensor = bt.x;
          layers.forEach((l, i) => {
            h = l.f(h, l.w, l.b);
            if (i < layers.length - 1) h = act(h);
          });
          return tf.losses.softmaxCrossEntropy(bt.y, h) as import('@tensorflow/tfjs').Scalar;
        },
        true,
        vars,
      )!;
      const v = cost.dataSync()[0];
      cost.dispose();
      return v;
    },
    dispose: () => {
      vars.forEach((v) => v.dispose());
      opt.dispose();
    },
  };
}
