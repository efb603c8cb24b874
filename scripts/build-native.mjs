#!/usr/bin/env node
// Builds the native kernel addon (native/binding.gyp -> native/build/Release/lrf_native.node)
// with node-gyp, offline against the local Node headers. Runs from `npm ci` (the "install"
// script) and `npm run build:native`. A failed build only warns: the service then runs on the
// WebAssembly SIMD backend (workers/backend.ts falls back when the addon cannot be loaded).
//
//   node scripts/build-native.mjs            build (node-gyp rebuild)
//   node scripts/build-native.mjs --strict   exit 1 when the build fails (CI checks, tests)
//   LRF_SKIP_NATIVE_BUILD=1                  skip the build (installs without a compiler, tests of the fallback)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const t0 = performance.now();

function fail(msg) {
  const text = `build-native: ${msg}\nbuild-native: the native backend is not available; lr-finder will use the WebAssembly SIMD backend`;
  if (strict) {
    console.error(text);
    process.exit(1);
  }
  console.warn(text);
  process.exit(0);
}

if (process.env.LRF_SKIP_NATIVE_BUILD === '1') fail('skipped (LRF_SKIP_NATIVE_BUILD=1)');
if (process.arch !== 'x64') fail(`the kernels are x86-64 (AVX2/AVX-512); this is ${process.arch}`);

// node-gyp: the one npm ships (npm sets npm_config_node_gyp for scripts), else the package
let gyp = process.env.npm_config_node_gyp;
if (!gyp || !existsSync(gyp)) {
  try {
    gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const npmDir = join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    );
    gyp = existsSync(npmDir) ? npmDir : null;
  }
}
if (!gyp) fail('node-gyp not found');

// offline: build against the headers of the running Node (npm's nodedir, or <prefix>/include/node)
const args = [gyp, 'rebuild', '--directory', join(root, 'native')];
const prefix = resolve(dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null);
if (nodedir) args.push(`--nodedir=${nodedir}`);
const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`
    .split('\n')
    .filter((l) => /error|Error|ERR!/.test(l))
    .slice(0, 12)
    .join('\n');
  fail(`node-gyp failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${out}`);
}
const built = join(root, 'native', 'build', 'Release', 'lrf_native.node');
if (!existsSync(built)) fail(`node-gyp succeeded but ${built} is missing`);
console.log(`build-native: native/build/Release/lrf_native.node (${Math.round(performance.now() - t0)} ms)`);
