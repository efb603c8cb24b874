/**
 * The API refuses to start without API_KEYS on an address other hosts reach (HOST, or API_BIND:
 * the host address docker compose publishes the port on), unless ALLOW_UNAUTHENTICATED=true:
 * the rule (config) and the real entry point (`dist/src/server.js` exits 2, naming the fix).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isLoopback, loadConfig, unauthenticatedExposure } from '../../src/config.js';

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/src/server.js');
const refusal = (env: Record<string, string>) => unauthenticatedExposure(loadConfig(env));

describe('unauthenticated exposure', () => {
  it('loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.3.2.1', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
      expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.org', '128.0.0.1'])
      expect(isLoopback(h), h).toBe(false);
  });

  it('refuses no API_KEYS on a non-loopback HOST, naming the ways out', () => {
    const msg = refusal({ HOST: '0.0.0.0' });
    expect(msg).toContain('0.0.0.0');
    expect(msg).toContain('API_KEYS');
    expect(msg).toContain('ALLOW_UNAUTHENTICATED=true');
    expect(msg).toContain('API_BIND=127.0.0.1');
  });

  it('allows loopback, API keys, or the explicit opt-in', () => {
    expect(refusal({})).toBeNull(); // HOST defaults to 127.0.0.1
    expect(refusal({ HOST: '::1' })).toBeNull();
    expect(refusal({ HOST: '0.0.0.0', API_KEYS: 'alice:secret-key-1' })).toBeNull();
    expect(refusal({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' })).toBeNull();
    expect(() => refusal({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'yes' })).toThrow(
      /ALLOW_UNAUTHENTICATED must be true or false/,
    );
  });

  it('API_BIND (the published address, under compose) decides over the in-container HOST', () => {
    expect(refusal({ HOST: '0.0.0.0', API_BIND: '127.0.0.1' })).toBeNull();
    expect(refusal({ HOST: '0.0.0.0', API_BIND: '0.0.0.0' })).toContain('0.0.0.0');
    expect(refusal({ HOST: '127.0.0.1', API_BIND: '10.0.0.5' })).toContain('10.0.0.5');
  });

  it('dist/src/server.js exits 2 before listening, saying why', async () => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      HOST: '0.0.0.0',
      PORT: '0',
      WORKERS: '0',
      REDIS_URL: 'redis://127.0.0.1:1',
    };
    for (const k of ['API_KEYS', 'API_BIND', 'ALLOW_UNAUTHENTICATED']) delete env[k];
    const child = spawn(process.execPath, [SERVER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(timer);
    expect(out).toContain('refusing to serve without API_KEYS on 0.0.0.0');
    expect(code).toBe(2);
  }, 90_000);
});
