/**
 * The layer registry: every layer module is complete, its wire schema is built from its fields
 * (defaults in one place), shapes flow through validation, and no file outside src/core/layers
 * names a layer type.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYER_TYPES, LAYERS, findLayer, resolveLayer } from '../../../src/core/layers/registry.js';
import { countParams, modelFlops, validateModel } from '../../../src/core/model.js';
import { Layer, fieldSchema } from '../../../src/contracts/model.js';
import { mnistFromRaw } from '../../../src/core/datasets/mnist-layout.js';
import type { LayerSpec } from '../../../src/core/spec.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const dense = (units: number): LayerSpec => ({
  type: 'dense',
  units,
  activation: 'relu',
  init: { name: 'default' },
  bias: true,
});

type Schema = {
  anyOf?: Schema[];
  properties?: Record<string, Schema & { const?: string; default?: unknown }>;
  required?: string[];
};

describe('the layer registry', () => {
  it('has unique types, and every module has every member', () => {
    expect(new Set(LAYER_TYPES).size).toBe(LAYERS.length);
    expect(LAYER_TYPES).toEqual([
      'dense',
      'activation',
      'batchnorm',
      'layernorm',
      'dropout',
      'residual',
      'conv2d',
      'maxpool2d',
      'avgpool2d',
      'flatten',
      'global_avg_pool',
    ]);
    for (const m of LAYERS) {
      for (const fn of ['resolve', 'validate', 'output', 'params', 'flops', 'memory', 'build'] as const) {
        expect(typeof m[fn], `${m.type}.${fn}`).toBe('function');
      }
      expect(Object.keys(m.stats).sort(), m.type).toEqual(['params', 'stats', 'weights']);
      if (m.widthField) expect(m.fields[m.widthField], m.type).toBeDefined();
      expect(findLayer(m.type)).toBe(m);
    }
  });

  it("each default lies within its field's limits, and resolution fills it in", () => {
    for (const m of LAYERS) {
      const raw: Record<string, unknown> = { type: m.type };
      for (const [name, f] of Object.entries(m.fields)) {
        if (f.kind === 'integer' || f.kind === 'number') {
          if (f.default === undefined) continue;
          if (f.minimum !== undefined) expect(f.default).toBeGreaterThanOrEqual(f.minimum);
          if (f.maximum !== undefined) expect(f.default).toBeLessThanOrEqual(f.maximum);
          if (f.exclusiveMinimum !== undefined) expect(f.default).toBeGreaterThan(f.exclusiveMinimum);
          if (f.exclusiveMaximum !== undefined) expect(f.default).toBeLessThan(f.exclusiveMaximum);
        }
        // the required fields get a value, the optional ones are left to their defaults
        if (!('optional' in f && f.optional))
          raw[name] = f.kind === 'layers' ? [{ type: 'dropout', p: 0.5 }] : f.kind === 'activationName' ? 'tanh' : 0.5;
      }
      const spec = resolveLayer(raw) as unknown as Record<string, unknown>;
      for (const [name, f] of Object.entries(m.fields)) {
        if (!('default' in f) || f.default === undefined) continue;
        expect(spec[name], `${m.type}.${name}`).toEqual(f.kind === 'init' ? { name: f.default } : f.default);
      }
    }
    // torch.nn.BatchNorm1d(momentum=0.1, eps=1e-05), torch.nn.LayerNorm(eps=1e-05)
    expect(resolveLayer({ type: 'batchnorm' })).toEqual({ type: 'batchnorm', momentum: 0.1, eps: 1e-5 });
    expect(resolveLayer({ type: 'layernorm' })).toEqual({ type: 'layernorm', eps: 1e-5 });
  });

  it('the wire schema has one branch per module, built from its fields (defaults documented from the same place)', () => {
    const branches = (Layer as unknown as Schema).anyOf!;
    expect(branches.map((b) => b.properties!.type.const)).toEqual([...LAYER_TYPES]);
    for (const [i, m] of LAYERS.entries()) {
      const props = branches[i].properties!;
      expect(Object.keys(props)).toEqual(['type', ...Object.keys(m.fields)]);
      for (const [name, f] of Object.entries(m.fields)) {
        if ((f.kind === 'number' || f.kind === 'boolean') && f.default !== undefined)
          expect(props[name].default).toBe(f.default);
      }
      const optional = Object.entries(m.fields)
        .filter(([, f]) => 'optional' in f && f.optional)
        .map(([n]) => n);
      expect(branches[i].required!.sort()).toEqual(
        ['type', ...Object.keys(m.fields).filter((n) => !optional.includes(n))].sort(),
      );
    }
  });

  it("field kinds the next layers need have wire forms: torch's _pair (int or [h, w]) and string enums", () => {
    const pair = fieldSchema(
      { kind: 'pair', optional: true, minimum: 1, maximum: 32, default: 1, description: 'stride' },
      null,
    );
    expect(JSON.parse(JSON.stringify(pair))).toEqual({
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 32 },
        { type: 'array', items: { type: 'integer', minimum: 1, maximum: 32 }, minItems: 2, maxItems: 2 },
      ],
      description: 'stride',
      default: 1,
    });
    const mode = fieldSchema({ kind: 'enum', values: ['zeros', 'reflect'], default: 'zeros' }, null);
    expect(JSON.parse(JSON.stringify(mode))).toEqual({ type: 'string', enum: ['zeros', 'reflect'], default: 'zeros' });
  });

  it('no file in src/ or workers/ outside src/core/layers names a layer type', () => {
    const files = [...filesUnder(path.join(ROOT, 'src')), ...filesUnder(path.join(ROOT, 'workers'))].filter(
      (f) => !f.startsWith(path.join(ROOT, 'src/core/layers') + path.sep),
    );
    const offenders: string[] = [];
    for (const f of files) {
      const code = readFileSync(f, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '') // block comments
        .replace(/^\s*\/\/.*$/gm, '') // line comments
        .replace(/fork\('[a-z]+'\)/g, ''); // RNG stream names ('dropout' is one)
      for (const t of LAYER_TYPES)
        if (new RegExp(`['"\`]${t}['"\`]`).test(code)) offenders.push(`${path.relative(ROOT, f)}: ${t}`);
    }
    // the same words as something else: torch.nn.init.calculate_gain's nonlinearity 'conv2d', the conv
    // kernels' own names in their error messages, and presets (request bodies, i.e. wire data)
    const notLayerTypes = (o: string): boolean =>
      o === 'src/contracts/model.ts: conv2d' ||
      o === 'src/core/init.ts: conv2d' ||
      o.startsWith('src/core/conv/') ||
      o.startsWith('src/contracts/presets.ts: ');
    expect(offenders.filter((o) => !notLayerTypes(o))).toEqual([]);
  });
});

describe('shapes through validation', () => {
  it("a flat input keeps today's checks and messages", () => {
    const spec = { layers: [dense(8), { type: 'residual', layers: [dense(4)] }, dense(3)] } as { layers: LayerSpec[] };
    expect(validateModel(spec, 2, 2)).toEqual([
      {
        path: '/model/layers/1/layers/0/units',
        message: 'residual block maps 8 features to 4; y = x + f(x) needs f to output 8',
      },
      { path: '/model/layers/2/units', message: 'the last dense layer has 3 units but the data needs 2 outputs' },
    ]);
    // a shape [features] is the same as the number
    expect(validateModel(spec, [2], 2)).toEqual(validateModel(spec, 2, 2));
    expect(validateModel({ layers: [{ type: 'conv9d' } as never] }, 2, null)).toEqual([
      {
        path: '/model/layers/0/type',
        message:
          "unknown layer type 'conv9d'; expected dense, activation, batchnorm, " +
          'layernorm, dropout, residual, conv2d, maxpool2d, avgpool2d, flatten or global_avg_pool',
      },
    ]);
  });

  it('layers that take only flat input refuse [channels, height, width] at their pointer; elementwise ones pass it on', () => {
    const image = [1, 28, 28];
    const p = validateModel(
      { layers: [{ type: 'dropout', p: 0.1 }, { type: 'activation', activation: 'relu' }, dense(10)] },
      image,
      10,
    );
    expect(p).toEqual([
      {
        path: '/model/layers/2',
        message: 'dense takes flat input ([features]) but gets shape [1, 28, 28]; add a flatten layer before it',
      },
    ]);
    for (const type of ['batchnorm', 'layernorm'] as const) {
      const norm = resolveLayer({ type })!;
      expect(validateModel({ layers: [norm] }, image, null).map((x) => x.path)).toEqual(['/model/layers/0']);
    }
    // an elementwise stack on an image outputs the image's shape, which is no class scores
    expect(validateModel({ layers: [{ type: 'dropout', p: 0.1 }] }, image, 10)).toEqual([
      {
        path: '/model/layers',
        message:
          'the model outputs shape [1, 28, 28] but the data needs 10 outputs; add a flatten layer and a layer with 10 outputs',
      },
    ]);
  });

  it("FLOPs per row are 6 × parameters for today's layers (the estimate LIMIT_JOB_FLOPS always used)", () => {
    const spec = {
      layers: [
        dense(8),
        resolveLayer({ type: 'batchnorm' })!,
        { type: 'dropout', p: 0.1 },
        { type: 'residual', layers: [dense(8), resolveLayer({ type: 'layernorm' })!] },
        dense(3),
      ],
    } as { layers: LayerSpec[] };
    // 4·8+8 + 2·8 + (8·8+8 + 2·8) + 8·3+3 = 40 + 16 + 88 + 27
    expect(countParams(spec, 4)).toBe(171);
    expect(modelFlops(spec, 4)).toBe(6 * 171);
  });

  it('mnist declares its shape [1, 28, 28], whose product is its features', () => {
    const raws = Array.from({ length: 10 }, () => new Array(784 * 2).fill(0.5));
    const ds = mnistFromRaw(raws, { n_samples: 20, seed: 0 });
    expect(ds.shape).toEqual([1, 28, 28]);
    expect(ds.shape!.reduce((a, b) => a * b, 1)).toBe(ds.features);
  });
});
