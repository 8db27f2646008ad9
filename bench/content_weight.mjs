// Bytes a first visit transfers, measured in a real Chromium on a 360-px phone: the
// page and everything it loads before it settles (the page scrolled to its end, so
// lazy pictures count too). Sizes are what came over the wire (brotli where offered).
// Usage: node bench/content_weight.mjs BASE_URL PATH...
import { chromium } from '../end2end/node_modules/playwright/index.mjs';

const [base, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' });
console.log('| page | device pixel ratio | requests | KB on the wire |');
console.log('|---|---|---|---|');
for (const path of paths) {
  for (const dpr of [1, 2]) {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: dpr, locale: 'zh-CN', serviceWorkers: 'block' });
    const page = await context.newPage();
    const done = [];
    page.on('requestfinished', (r) => done.push(r.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)));
    await page.goto(base + path, { waitUntil: 'networkidle' });
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForLoadState('networkidle');
    const bytes = (await Promise.all(done)).reduce((a, b) => a + b, 0);
    console.log(`| \`${path}\` | ${dpr} | ${done.length} | **${(bytes / 1024).toFixed(1)}** |`);
    await context.close();
  }
}
await browser.close();
