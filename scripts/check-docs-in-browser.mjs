// Swagger UI under the service's Content-Security-Policy, in a real Chromium (Debian: apt-get install chromium):
// opens /docs, expands POST /v1/lr-range-tests, Try it out → Execute (the example as shown), and reports the response
// code
// shown and every console error and CSP violation, then expands every operation and looks for examples generated
// from free-form schemas ("additionalProp1"); exit code 1 if there is any, or no 202.
// playwright-core as in browser-page.mjs:
//   PLAYWRIGHT_CORE=/tmp/pw/node_modules/playwright-core/index.mjs node scripts/check-docs-in-browser.mjs
// http://127.0.0.1:3000
import { screenshotPath, watchedPage } from './browser-page.mjs';

const base = process.argv[2];
const { browser, page, console_, csp } = await watchedPage();
const res = await page.goto(`${base}/docs`, { waitUntil: 'networkidle' });
console.log('GET /docs', res.status(), 'CSP:', res.headers()['content-security-policy']);
const op = page.locator('#operations-lr-range-tests-post_v1_lr_range_tests');
await op.locator('.opblock-summary').click();
const tryBtn = op.locator('button.try-out__btn');
const label = (await tryBtn.innerText()).trim();
console.log('try-out button says:', label);
if (/try it out/i.test(label)) await tryBtn.click();
// one click: the body is the document's first example (the default preset), unless BODY replaces it
const example = await op.locator('textarea.body-param__text').inputValue();
console.log('body example:', example.replace(/\s+/g, ' ').slice(0, 160));
if (process.env.BODY) await op.locator('textarea.body-param__text').fill(process.env.BODY);
await op.locator('button.execute').click();
await op.locator('.responses-wrapper .live-responses-table .response-col_status').first().waitFor({ timeout: 15000 });
const status = (await op.locator('.live-responses-table tbody .response-col_status').first().innerText()).trim();
const body = (await op.locator('.live-responses-table .microlight').first().innerText()).slice(0, 200);
console.log('Execute → status', status, '| body', body.replace(/\s+/g, ' '));
const shot = await screenshotPath('docs.png');
await page.screenshot({ path: shot, fullPage: false });
console.log('screenshot:', shot);
// every operation, expanded: no example generated from a free-form schema ("additionalProp1")
const ops = page.locator('.opblock');
const generated = [];
for (let i = 0; i < (await ops.count()); i++) {
  const o = ops.nth(i);
  if (!(await o.locator('.opblock-body').count())) await o.locator('.opblock-summary').first().click();
  await page.waitForTimeout(100);
  if (/additionalProp\d/.test(await o.innerText())) generated.push(await o.getAttribute('id'));
}
console.log(
  `operations showing "additionalProp": ${generated.length ? generated.join(', ') : 'none'} (of ${await ops.count()})`,
);
// lock icons and the Authorize button only when the service runs with API_KEYS (its document declares the scheme)
const keyed = Boolean((await (await fetch(`${base}/openapi.json`)).json()).components?.securitySchemes);
const locks = await page.locator('.authorization__btn').count();
const authorize = await page.locator('.btn.authorize').count();
const lockOk = keyed ? locks > 0 && authorize === 1 : locks === 0 && authorize === 0;
console.log(
  `API keys configured: ${keyed}; lock icons: ${locks}, Authorize button: ${authorize} (${lockOk ? 'as expected' : 'WRONG'})`,
);
console.log('console errors/warnings:', console_.length ? console_ : 'none');
console.log('CSP violations:', csp.length ? csp : 'none');
await browser.close();
if (status !== '202' || console_.length || csp.length || generated.length || !lockOk) process.exit(1);
