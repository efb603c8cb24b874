/**
 * The API alone, listening on HOST:PORT with the environment's configuration, no workers: the
 * process a service benchmark drives from another process (so the load generator does not share
 * the API's event loop). Prints `listening <url>` when ready; SIGTERM closes it.
 *   node dist/bench/serve.js
 * Forked with an IPC channel, it answers the message 'cpu' with `{cpu}`: its CPU time so far, µs.
 */
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';

const config = loadConfig();
const app = await buildApp({ config, logger: false });
await app.listen({ port: config.port, host: config.host });
while (!app.jobs.ready()) await new Promise((r) => setTimeout(r, 10));
console.log(`listening http://${config.host}:${config.port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
// a benchmark that forked this process asks for its CPU time (µs, user + system) over IPC
process.on('message', (m) => {
  if (m === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ cpu: u.user + u.system });
  }
});
