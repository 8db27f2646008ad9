import { test as base, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

// Every test fails on a console error or an uncaught exception in the page.
// A test that expects some (a 404 page's own status, say) lists them in `expectedConsoleErrors`.
// (An error seen both ways, as a console message and as an uncaught error, is matched in both.)
export const test = base.extend({
  expectedConsoleErrors: [[], { option: true }],
  page: async ({ page, expectedConsoleErrors }, use) => {
    const problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !expectedConsoleErrors.some((re) => re.test(m.text()))) problems.push(`console: ${m.text()}`);
    });
    // Aborted requests are ones a navigation cut short (quick exit does that on purpose).
    page.on('requestfailed', (r) => { if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`); });
    page.on('pageerror', (e) => {
      if (!expectedConsoleErrors.some((re) => re.test(e.message))) problems.push(`pageerror: ${e.message}`);
    });
    await use(page);
    expect(problems, 'console errors').toEqual([]);
  },
});
export { expect };

export async function expectNoAxeViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary).toEqual([]);
}

export async function expectFitsWidth(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0);
}

/** Waits until the questionnaire island has hydrated and reacts to input. */
export async function waitForIsland(page) {
  await page.locator('.questionnaire[data-ready]').waitFor();
}
