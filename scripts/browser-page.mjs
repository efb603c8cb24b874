// A page in a real headless Chromium (Debian: apt-get install chromium) that records every console
// error or warning, page error and Content-Security-Policy violation, for the check-*-in-browser scripts.
// playwright-core is not a dependency of this project: install it anywhere and point PLAYWRIGHT_CORE at it
//   npm install --prefix /tmp/pw playwright-core && PLAYWRIGHT_CORE=/tmp/pw/node_modules/playwright-core/index.mjs node
// scripts/...
export async function watchedPage(contextOptions = {}) {
  const { chromium } = await import(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const console_ = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console_.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => console_.push(`pageerror: ${e.message}`));
  const csp = [];
  await page.exposeFunction('__csp', (v) => csp.push(v));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => window.__csp(`${e.violatedDirective} ${e.blockedURI}`)),
  );
  return { browser, page, console_, csp };
}

/**
 * Where a check script writes its screenshot: SCREENSHOT if set, else a new temporary folder
 * (never the checkout: the committed docs.png / dashboard.png change only when asked to).
 */
export async function screenshotPath(name) {
  if (process.env.SCREENSHOT) return process.env.SCREENSHOT;
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return join(mkdtempSync(join(tmpdir(), 'lrf-browser-')), name);
}
