/** Security headers (helmet) on the API and on Swagger UI, with a CSP Swagger UI works under (checked in a browser, see
 * README). */
import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELMET_OPTIONS, helmetHeaders } from '../../src/api/plugins/security.js';
import { appWithoutRedis } from '../helpers/app.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;

beforeAll(async () => {
  t = await appWithoutRedis();
});

afterAll(async () => {
  await t?.close();
});

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name, values];
      }),
  );
}

describe('security headers', () => {
  it.each(['/docs', '/docs/static/swagger-ui-bundle.js', '/openapi.json', '/v1/presets', '/healthz'])(
    '%s: CSP, nosniff, frame and referrer policies',
    async (url) => {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const csp = directives(String(res.headers['content-security-policy']));
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]); // no inline or eval'd scripts
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    },
  );

  it("the Swagger UI page loads only same-origin scripts (what script-src 'self' allows)", async () => {
    const page = (await t.app.inject({ method: 'GET', url: '/docs' })).body;
    const scripts = [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\.?\/?[^":]*"/); // relative: this origin
      expect(body.trim()).toBe(''); // nothing inline
    }
  });

  it("every response carries exactly the headers helmet's own middleware sets on a real response (computed once at start-up)", async () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    res.setHeader('x-powered-by', 'something');
    helmet(HELMET_OPTIONS)(res.req, res, (err?: unknown) => {
      if (err) throw err;
    });
    const reference = res.getHeaders();
    expect(reference['x-powered-by']).toBeUndefined(); // helmet removes it
    expect(Object.keys(reference).length).toBeGreaterThan(8);
    for (const [method, url] of [
      ['GET', '/healthz'],
      ['GET', '/v1/no-such-route'],
      ['POST', '/v1/schedules/preview'],
      ['GET', '/docs'],
    ] as const) {
      const got = await t.app.inject({
        method,
        url,
        payload: method === 'POST' ? { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: 4 } : undefined,
      });
      for (const [name, value] of Object.entries(reference))
        expect(got.headers[name], `${method} ${url}: ${name}`).toBe(String(value));
      expect(got.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('options whose headers depend on the request are refused (they cannot be computed once)', () => {
    const nonce = () => "'nonce-abc'";
    expect(() =>
      helmetHeaders({
        contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'self'"], 'script-src': [nonce] } },
      }),
    ).toThrow(/script-src/);
  });
});
