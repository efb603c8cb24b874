/**
 * Latency of GET /healthz, one request every `--every` ms, from its own process (so the client
 * that measures is not slowed by the load it measures). On SIGTERM prints `{"n", "p50", "p99", "max"}`.
 *   node dist/bench/healthz-probe.js http://127.0.0.1:3000 [--every=20]
 */
import http from 'node:http';
import { args } from './common.js';

const url = process.argv[2];
const every = Number(args().get('every') ?? 20);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const times: number[] = [];
let stop = false;

const once = () =>
  new Promise<void>((resolve) => {
    const t0 = performance.now();
    http
      .get(`${url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) times.push(performance.now() - t0);
          resolve();
        });
      })
      .on('error', () => resolve());
  });

process.on('SIGTERM', () => {
  stop = true;
});
while (!stop) {
  const t0 = performance.now();
  await once();
  const wait = every - (performance.now() - t0);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
times.sort((a, b) => a - b);
const q = (p: number) => (times.length ? times[Math.min(times.length - 1, Math.floor(p * times.length))] : NaN);
console.log(JSON.stringify({ n: times.length, p50: q(0.5), p99: q(0.99), max: q(1) }));
process.exit(0);
