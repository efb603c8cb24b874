// The queue dashboard (/admin/queues) under the service's Content-Security-Policy, in a real Chromium
// (Debian: apt-get install chromium): logs in with HTTP Basic (password = API_KEY, when the service has
// API_KEYS), waits for the queues to render, and reports every console error and CSP violation
// (exit code 1 if there is any, or if a queue is missing). playwright-core as in browser-page.mjs:
//   PLAYWRIGHT_CORE=/tmp/pw/node_modules/playwright-core/index.mjs API_KEY=... node
// scripts/check-dashboard-in-browser.mjs http://127.0.0.1:3000
import { screenshotPath, watchedPage } from './browser-page.mjs';

const base = process.argv[2];
const { browser, page, console_, csp } = await watchedPage(
  process.env.API_KEY ? { httpCredentials: { username: 'ops', password: process.env.API_KEY } } : {},
);
const res = await page.goto(`${base}/admin/queues`, { waitUntil: 'networkidle' });
console.log('GET /admin/queues', res.status(), 'CSP:', res.headers()['content-security-policy']);
const queues = ['lr-range-tests', 'schedule-simulations', 'diagnostics', 'lr-searches', 'webhooks'];
const missing = [];
for (const q of queues) {
  try {
    await page.getByText(q, { exact: true }).first().waitFor({ timeout: 15000 });
  } catch {
    missing.push(q);
  }
}
console.log(
  'queues shown:',
  queues.filter((q) => !missing.includes(q)),
  'missing:',
  missing.length ? missing : 'none',
);
const shot = await screenshotPath('dashboard.png');
await page.screenshot({ path: shot, fullPage: false });
console.log('screenshot:', shot);
console.log('console errors/warnings:', console_.length ? console_ : 'none');
console.log('CSP violations:', csp.length ? csp : 'none');
await browser.close();
if (res.status() !== 200 || missing.length || console_.length || csp.length) process.exit(1);
