/**
 * Reads a V8 CPU profile (`node --cpu-prof`, e.g. the API under bench/admission.ts --prof=DIR) and
 * prints self time per function and per package (node_modules/<name>, node:internal, this
 * project's own files), the top `--top` rows of each.
 *   node dist/bench/cpu-profile.js <file.cpuprofile> [--top=30]
 */
import { readFileSync } from 'node:fs';
import { args, fmt, table } from './common.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** where a frame's code comes from: an npm package, Node's internals, V8 (GC, program, idle) or this project */
export function packageOf(url: string, fn: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:internal';
  if (url === '') return `(${fn || 'native'})`;
  const d = /\/dist\/(.*)\/[^/]+$/.exec(url);
  return d ? `lr-finder ${d[1]}` : url;
}

const o = args();
const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: node dist/bench/cpu-profile.js <file.cpuprofile> [--top=30]');
const top = Number(o.get('top') ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const byFn = new Map<string, number>();
const byPkg = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const f = byId.get(id)!.callFrame;
  const dt = profile.timeDeltas[i] ?? 0;
  const where = f.url.split('/').slice(-2).join('/');
  const k = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
  byFn.set(k, (byFn.get(k) ?? 0) + dt);
  const p = packageOf(f.url, f.functionName);
  byPkg.set(p, (byPkg.get(p) ?? 0) + dt);
});
const idle = byFn.get('(idle) :0') ?? 0;
const total = [...byFn.values()].reduce((a, b) => a + b, 0);
const busy = total - idle;
const rows = (m: Map<string, number>) =>
  [...m.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => [k, `${fmt((100 * v) / busy, 1)}%`]);
console.log(
  `${file}: ${fmt(total / 1e6, 2)} s sampled, ${fmt((100 * idle) / total, 1)}% idle; shares below are of the busy time`,
);
console.log(table(['package (self time)', 'share'], rows(byPkg)));
console.log(table(['function (self time)', 'share'], rows(byFn)));
