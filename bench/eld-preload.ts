/**
 * Loaded into a benchmarked server with `node --import <this file>`: the process's event-loop
 * delay (perf_hooks monitorEventLoopDelay, 10 ms resolution) over a stretch of the benchmark,
 * driven over the IPC channel: 'eld-start' resets it, 'eld-stop' answers `{eld: {p50, p99, max}}` in ms.
 * A preload, not part of serve.ts, so the same benchmark measures any build of the service.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
process.on('message', (m: unknown) => {
  if (m === 'eld-start') h.reset();
  else if (m === 'eld-stop') {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    process.send?.({ eld: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) } });
  }
});
