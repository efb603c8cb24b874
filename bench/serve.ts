/**
 * The API alone, listening on HOST:PORT with the environment's configuration, no workers: the
 * process a service benchmark drives from another process (so the load generator does not share
 * the API's event loop). Prints `listening <url>` when ready; SIGTERM closes it.
 *   node dist/bench/serve.js
 * Forked with an IPC channel it answers two messages: 'cpu' with `{cpu}`, its CPU time so far
 * (user + system, µs); `{profile: 'start'}` / `{profile: 'stop', file}` run V8's sampling
 * profiler over a stretch of the benchmark and write the profile to `file` (answers `{profiled}`).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';

const config = loadConfig();
const app = await buildApp({ config, logger: false });
await app.listen({ port: config.port, host: config.host });
while (!app.jobs.ready()) await new Promise((r) => setTimeout(r, 10));
console.log(`listening http://${config.host}:${config.port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

let session: Session | null = null;
const post = (method: string, params: object = {}) =>
  new Promise<unknown>((resolve, reject) =>
    session!.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );
process.on('message', (m: unknown) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ cpu: u.user + u.system });
  } else if (m && typeof m === 'object' && 'profile' in m) {
    const { profile, file } = m as { profile: string; file?: string };
    void (async () => {
      if (profile === 'start') {
        session = new Session();
        session.connect();
        await post('Profiler.enable');
        await post('Profiler.start');
      } else if (session) {
        const { profile: p } = (await post('Profiler.stop')) as { profile: unknown };
        session.disconnect();
        session = null;
        if (file) writeFileSync(file, JSON.stringify(p));
      }
      process.send?.({ profiled: profile });
    })();
  }
});
