import { test, expect, expectNoAxeViolations, expectFitsWidth } from './helpers.mjs';

const NEUTRAL = 'https://www.baidu.com/';

test('home page renders in zh-CN and fits a 360-px screen', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/zh$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('你好，这里是安心');
  const nav = page.getByRole('navigation', { name: '栏目' });
  for (const name of ['自评', '课程', '家长学校']) {
    await expect(nav.getByRole('link', { name })).toBeVisible();
  }
  await expectFitsWidth(page);
  // Content pages load no WebAssembly at all.
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.wasm')).length);
  expect(wasm).toBe(0);
});

test('switching to English and back keeps the page', async ({ page }) => {
  await page.goto('/zh/help');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/en\/help$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Help lines');
  await page.getByRole('link', { name: '中文' }).click();
  await expect(page).toHaveURL(/\/zh\/help$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});

test('an English browser lands on the English site', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page).toHaveURL(/\/en$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hello, this is Anxin');
  await context.close();
});

test('the help panel opens without the network and lists the hotlines as tel: links', async ({ page, context }) => {
  await page.goto('/zh/courses');
  await page.waitForLoadState('networkidle');
  await context.setOffline(true);
  const button = page.getByText('需要帮助？', { exact: true });
  await button.click();
  const panel = page.getByRole('region', { name: '求助热线' });
  await expect(panel).toBeVisible();
  for (const number of ['110', '120', '12356', '12355']) {
    await expect(panel.locator(`a[href="tel:${number}"]`)).toBeVisible();
  }
  // Someone to talk to first, a trusted adult, then 120/110 for danger.
  const numbers = await panel.locator('a[href^="tel:"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(numbers).toEqual(['tel:12356', 'tel:12355', 'tel:120', 'tel:110']);
  await expect(panel.getByText('也可以告诉一个你信任的大人')).toBeVisible();
  // The sample line is shown as a sample, and its made-up number is nothing to call.
  await expect(panel.getByText('示例号码：本市心理援助热线（请换成真实号码）')).toBeVisible();
  await expect(panel.getByText('示例号码，不能拨打')).toBeVisible();
  await expect(panel.locator('a[href="tel:00000000000"]')).toHaveCount(0);
  await expectFitsWidth(page);
  // Escape closes it and gives focus back to the button.
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(page.locator('summary.help-button')).toBeFocused();
  await context.setOffline(false);
});

test('the help panel works from the keyboard', async ({ page }) => {
  await page.goto('/en');
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab'); // help button
  await expect(page.locator('summary.help-button')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: 'Help lines' })).toBeVisible();
});

test('quick exit leaves at once and replaces the history entry', async ({ page }) => {
  await page.route(`${NEUTRAL}**`, (route) => route.fulfill({ contentType: 'text/html', body: '<title>neutral</title>' }));
  await page.goto('/zh');
  await page.goto('/zh/help');
  await page.getByRole('link', { name: '快速离开' }).click();
  await expect(page).toHaveURL(NEUTRAL);
  await page.goBack();
  // Back skips the page the person left from.
  await expect(page).toHaveURL(/\/zh$/);
});

test('pages have no accessibility violations (axe-core)', async ({ page }) => {
  for (const path of ['/zh', '/en', '/zh/help', '/en/booking']) {
    await page.goto(path);
    await expectNoAxeViolations(page);
  }
  await page.goto('/zh');
  await page.getByText('需要帮助？', { exact: true }).click();
  await expectNoAxeViolations(page);
});

test.describe('not found', () => {
  test.use({ expectedConsoleErrors: [/status of 404/] });
  test('an unknown page says so with a 404 and still offers help', async ({ page }) => {
  const response = await page.goto('/en/nothing-here');
  expect(response.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expect(page.locator('a[href="tel:12356"]')).toHaveCount(1);
  await expectNoAxeViolations(page);
});
});
