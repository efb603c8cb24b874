/**
 * The backend contract's generator, pure: src/core/kernels/manifest.ts → the text of the TypeScript,
 * AssemblyScript and C files that carry it. scripts/gen-backend.ts writes them (`npm run gen:backend`);
 * test/backends/generated.test.ts regenerates them in memory and fails when a committed one differs.
 */
import { ACTIVATIONS, KERNELS, type ArgType, type KernelSpec } from '../src/core/kernels/manifest.js';

export const MANIFEST = 'src/core/kernels/manifest.ts';
export const GENERATOR = 'scripts/gen-backend.ts';
const MARK = `Generated from ${MANIFEST} by ${GENERATOR} (npm run gen:backend); do not edit.`;

/** The generated files, by path from the repository root. */
export const GENERATED = {
  ts: 'src/core/kernels/contract.generated.ts',
  as: 'assembly/contract.generated.ts',
  c: 'native/src/contract.generated.h',
} as const;

const kernels: readonly KernelSpec[] = KERNELS;
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const upper = (s: string): string => snake(s).toUpperCase();

/** `head(a, b, c)tail`, wrapped at 120 columns with continuation lines indented by `indent`. */
function call(head: string, parts: string[], tail: string, indent: string): string {
  const one = `${head}${parts.join(', ')}${tail}`;
  if (one.length <= 120) return one;
  const lines: string[] = [];
  let line = head;
  parts.forEach((p, i) => {
    const piece = p + (i < parts.length - 1 ? ',' : tail);
    if (line.length + piece.length + 1 > 120 && line.trim() !== '' && line !== head) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += piece + (i < parts.length - 1 ? ' ' : '');
  });
  lines.push(line);
  return lines.join('\n');
}

// ---- TypeScript -------------------------------------------------------------------------------

const TS_SIMD: Record<ArgType, string> = {
  in: 'number',
  'in?': 'number',
  out: 'number',
  i32: 'number',
  f32: 'number',
  flag: 'number',
  act: 'number',
};
const TS_NATIVE: Record<ArgType, string> = {
  in: 'Float32Array',
  'in?': 'Float32Array | null',
  out: 'Float32Array',
  i32: 'number',
  f32: 'number',
  flag: 'boolean',
  act: 'number',
};

function tsMethod(k: KernelSpec, side: 'simd' | 'native'): string {
  const map = side === 'simd' ? TS_SIMD : TS_NATIVE;
  const params = k.args.map(([n, t]) => `${n}: ${map[t]}`);
  let ret = 'void';
  if (k.returns === 'f64') ret = 'number';
  if (k.returns === 'flag') ret = side === 'simd' ? 'number' : 'boolean';
  if (k.returns === 'f64x2') {
    if (side === 'simd') ret = 'number';
    else params.push('out: Float64Array');
  }
  const name = side === 'simd' ? (k.wasm ?? k.name) : k.name;
  return `  /** ${k.doc} */\n${call(`  ${name}(`, params, `): ${ret};`, '    ')}`;
}

function typescript(): string {
  const simd = kernels.filter((k) => k.backends.includes('simd'));
  const native = kernels.filter((k) => k.backends.includes('native'));
  const second = simd.some((k) => k.returns === 'f64x2')
    ? '  /** the second float64 of the last kernel that returns two (diffSquares: Σ b²) */\n  secondResult(): number;\n'
    : '';
  return `// ${MARK}

/** The activations the fused dense kernels implement (biasAct, actBackward), in code order. */
export const FUSED_ACTIVATIONS = [${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}] as const;
export type FusedActivationName = (typeof FUSED_ACTIVATIONS)[number];

/** An activation's code in the C and WebAssembly kernels' \`act\` argument. */
export const ACTIVATION_CODE: Readonly<Record<FusedActivationName, number>> = Object.freeze({
${ACTIVATIONS.map((a, i) => `  ${a}: ${i},`).join('\n')}
});

/** The kernels of the contract. */
${call(
  'export const KERNEL_NAMES = [',
  kernels.map((k) => `'${k.name}'`),
  '] as const;',
  '  ',
)}

/** The WebAssembly kernels' exports (assembly/index.ts): arrays are byte offsets into the backend's memory. */
export interface SimdRawKernels {
${simd.map((k) => tsMethod(k, 'simd')).join('\n')}
${second}}

/** The native addon's kernel exports (native/src/addon.c): arrays are Float32Arrays, checked against the sizes. */
export interface NativeRawKernels {
${native.map((k) => tsMethod(k, 'native')).join('\n')}
}
`;
}

// ---- AssemblyScript ---------------------------------------------------------------------------

const AS: Record<ArgType, string> = {
  in: 'usize',
  'in?': 'usize',
  out: 'usize',
  i32: 'i32',
  f32: 'f32',
  flag: 'bool',
  act: 'i32',
};

function assemblyScript(): string {
  const simd = kernels.filter((k) => k.backends.includes('simd'));
  const sigs = simd.map((k) => {
    const ret = k.returns === 'f64' || k.returns === 'f64x2' ? 'f64' : k.returns === 'flag' ? 'i32' : 'void';
    const extra = k.returns === 'f64x2' ? ' (the second result: secondResult())' : '';
    const params = k.args.map(([n, t]) => `${n}: ${AS[t]}`);
    return call(`//   ${k.wasm ?? k.name}(`, params, `): ${ret}${extra}`, '//       ');
  });
  return `// ${MARK}

// The activation codes of biasAct / actBackward (the manifest's ACTIVATIONS, code = index).
${ACTIVATIONS.map((a, i) => `export const ACT_${upper(a)}: i32 = ${i};`).join('\n')}

// The kernels assembly/index.ts exports (arrays as byte offsets into the imported memory):
${sigs.join('\n')}
`;
}

// ---- C ----------------------------------------------------------------------------------------

const C: Record<ArgType, string> = {
  in: 'const float *',
  'in?': 'const float *',
  out: 'float *',
  i32: 'int ',
  f32: 'float ',
  flag: 'int ',
  act: 'int ',
};

function cMember(k: KernelSpec): string {
  const params = k.args.map(([n, t]) => `${C[t]}${snake(n)}`);
  if (k.returns === 'f64x2') params.push('double *out');
  const ret = k.returns === 'f64' ? 'double' : k.returns === 'flag' ? 'int' : 'void';
  return `  /* ${k.doc} */\n${call(`  ${ret} (*${k.c})(`, params, ');', '      ')}`;
}

function cHeader(): string {
  const native = kernels.filter((k) => k.backends.includes('native'));
  const table = ['label', ...native.map((k) => `${k.c}_impl`), 'peak_probe'];
  // the N-API functions' argument counts: the raw arguments, plus the out array of a two-float64 result
  const counts = native.map((k) => k.args.length + (k.returns === 'f64x2' ? 1 : 0));
  const argc = native.map((k, i) => `LRF_ARGC_${upper(k.c)} = ${counts[i]}`);
  argc.push(`LRF_ARGC_MAX = ${Math.max(...counts)}`);
  return `/* ${MARK} */
#ifndef LRF_CONTRACT_GENERATED_H
#define LRF_CONTRACT_GENERATED_H
#include <stdint.h>

/* The activation codes of bias_act / act_backward (the manifest's ACTIVATIONS, code = index). */
enum { ${ACTIVATIONS.map((a, i) => `ACT_${upper(a)} = ${i}`).join(', ')} };

/* How many arguments each kernel's N-API function (addon.c) takes. */
${call('enum { ', argc, ' };', '  ')}

/* One kernel table per instruction set (native/src/isa_*.c), chosen at load time by addon.c. */
typedef struct {
  const char *name;
${native.map(cMember).join('\n')}
  /* not a kernel: the FMA peak probe of bench/native.ts ('iters' iterations; returns the FLOPs done) */
  double (*peak)(int64_t iters, float *sink);
} lrf_kernels;

/* The table of one instruction set: impl.h (ops/) defines <member>_impl of every kernel, the ISA file peak_probe. */
#define LRF_TABLE(sym, label) \\
${call('  const lrf_kernels sym = { ', table, ' }', '    ').split('\n').join(' \\\n')}

#endif
`;
}

/** Every generated file's text, by path from the repository root. */
export function generateBackendFiles(): Record<string, string> {
  return { [GENERATED.ts]: typescript(), [GENERATED.as]: assemblyScript(), [GENERATED.c]: cHeader() };
}
