#!/usr/bin/env node
// Copies the Lua scripts (src/**/*.lua: src/queue/lua/ and its includes/) beside the compiled
// JavaScript in dist/, where src/queue/scripts.ts reads them at run time: tsc copies only what
// it compiles. Runs from `npm run build` (and so from `npm ci` and the Dockerfile's build stage).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let n = 0;
for (const top of ['src', 'workers']) {
  for (const f of readdirSync(join(root, top), { recursive: true })
    .map(String)
    .filter((p) => p.endsWith('.lua'))) {
    const to = join(root, 'dist', top, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, top, f), to);
    n++;
  }
}
console.log(`copy-lua: ${n} Lua file(s) -> dist/`);
