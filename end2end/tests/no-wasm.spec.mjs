// Some in-app browsers have no WebAssembly. The questionnaire needs it (answers are
// scored on the phone); without it the page must say so plainly, show no buttons that
// do nothing, and keep help one tap away. Chromium with WebAssembly taken away before
// any page script runs (its `--js-flags=--no-expose-wasm` no longer hides it).
import { test, expect, expectNoAxeViolations, expectFitsWidth } from './helpers.mjs';

// The island's loader fails for want of WebAssembly, as it would in such a browser.
test.use({ expectedConsoleErrors: [/WebAssembly/] });

test('the questionnaire says plainly why it cannot run, and help stays one tap away', async ({ page }) => {
  await page.addInitScript(() => { delete globalThis.WebAssembly; });
  await page.goto('/zh/self-check/phq9');
  expect(await page.evaluate(() => typeof WebAssembly)).toBe('undefined');
  const notice = page.getByRole('alert').filter({ hasText: '不支持 WebAssembly' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('在浏览器中打开');
  // No dead buttons: the questionnaire is not shown at all.
  await expect(page.locator('.questionnaire')).toBeHidden();
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  await page.getByText('需要帮助？', { exact: true }).click();
  await expect(page.getByRole('region', { name: '求助热线' }).locator('a[href="tel:12356"]')).toBeVisible();
  await page.keyboard.press('Escape');
  await notice.getByRole('link').click();
  await expect(page).toHaveURL(/\/zh\/help$/);
});

test('in English too', async ({ page }) => {
  await page.addInitScript(() => { delete globalThis.WebAssembly; });
  await page.goto('/en/self-check/gad7');
  await expect(page.getByRole('alert').filter({ hasText: 'no WebAssembly' })).toBeVisible();
  await expect(page.locator('.questionnaire')).toBeHidden();
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
});
