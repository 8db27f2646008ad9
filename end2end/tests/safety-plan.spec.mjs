// My safety plan: the same page for everyone, filled in and kept only in this browser
// (off until the person turns it on; no request carries it: no form, no fetch, no
// cookie), there again after a reload and offline, gone after "forget", working without
// WebAssembly and without script, one tap from the help panel, the crisis dialog and a
// result, and printed on one page.
import { test, expect, expectNoAxeViolations, expectFitsWidth, waitForIsland } from './helpers.mjs';

const KEY = 'anxin.safety-plan';
const WORDS = {
  zh: {
    title: '我的安全计划', keep: '在这台设备上保存这份计划', forget: '忘记我的计划', print: '打印我的计划',
    steps: ['我的预警信号', '我自己可以做的事', '能让我转移注意力的人和地方', '我可以求助的人',
      '可以联系的专业人员和热线', '让周围环境更安全', '一个让我坚持下去的理由'].map((t, i) => `第 ${i + 1} 步：${t}`),
    kept: '已保存在这台设备上，之后写的内容会自动保存。', forgotten: '计划已清除：这一页在这台设备上保存的副本已删除，屏幕上的内容也已清空。打印出来的纸要你自己收好或销毁。',
    shared: '其他使用这台设备或这个浏览器的人', noScript: '浏览器没有开启 JavaScript 时',
    help: '需要帮助？', panel: '求助热线',
  },
  en: {
    title: 'My safety plan', keep: 'Keep this plan on this device', forget: 'Forget my plan', print: 'Print my plan',
    steps: ['My warning signs', 'Things I can do on my own', 'People and places that take my mind off things',
      'People I can ask for help', 'Professionals and lines to call', 'Making my surroundings safer',
      'One reason to keep going'].map((t, i) => `Step ${i + 1}: ${t}`),
    kept: 'Kept on this device. What you write from now on is saved as you type.',
    forgotten: 'Your plan is cleared: the copy this page kept on this device is deleted and the fields are empty. A printed copy is yours to keep safe or destroy.',
    shared: 'anyone else who uses this device or this browser', noScript: 'Without JavaScript',
    help: 'Need help now?', panel: 'Help lines',
  },
};

/** Every request made in this browser context (pages and the offline worker). */
function recordRequests(context) {
  const requests = [];
  context.on('request', (r) => requests.push({
    url: r.url(), method: r.method(), type: r.resourceType(), body: r.postData(), worker: !!r.serviceWorker(),
  }));
  return requests;
}

/** No request could have carried the plan: GETs of pages and their files only. */
async function expectNothingSent(requests, context, secrets) {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) {
    expect(r.method, `${r.method} ${r.url}`).toBe('GET');
    expect(r.body, r.url).toBeFalsy();
    // The offline worker fetches public pages and files (to keep them); a page never fetches.
    if (!r.worker) expect(['xhr', 'fetch', 'websocket', 'eventsource', 'ping'], `${r.type} ${r.url}`).not.toContain(r.type);
    expect(new URL(r.url).search, r.url).toBe('');
    for (const secret of secrets) {
      expect(decodeURIComponent(r.url), 'no plan text in an address').not.toContain(secret);
      expect(r.url).not.toContain(encodeURIComponent(secret));
    }
  }
  expect(await context.cookies()).toEqual([]);
}

const field = (page, lang, n) => page.getByLabel(WORDS[lang].steps[n - 1], { exact: true });
const stored = (page) => page.evaluate((key) => localStorage.getItem(key), KEY);

for (const lang of ['zh', 'en']) {
  test(`${lang}: every step is labelled, the lines come prefilled, and it passes axe at 360 px`, async ({ page }) => {
    const w = WORDS[lang];
    await page.goto(`/${lang}/safety-plan`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(w.title);
    expect(await page.locator('form').count(), 'no form: nothing can be submitted').toBe(0);
    for (let n = 1; n <= 7; n++) {
      await expect(page.getByRole('heading', { level: 2, name: w.steps[n - 1] })).toBeVisible();
      await expect(field(page, lang, n)).toBeEditable();
      await expect(field(page, lang, n)).toHaveAttribute('aria-describedby', /-hint$/);
    }
    // Step 5: the help line first, then the youth line, 120 and 110 for danger; no sample.
    const lines = await field(page, lang, 5).inputValue();
    expect(lines.indexOf('12356')).toBe(lines.search(/\d/));
    expect(lines.indexOf('12356')).toBeLessThan(lines.indexOf('12355'));
    expect(lines.indexOf('12355')).toBeLessThan(lines.indexOf('120'));
    expect(lines).toContain('110');
    expect(lines).not.toMatch(/示例|Sample|00000/);
    for (const n of [1, 2, 3, 4, 6, 7]) await expect(field(page, lang, n)).toHaveValue('');
    // Said plainly: who else could read it. Off until turned on.
    await expect(page.getByText(w.shared, { exact: false })).toBeVisible();
    await expect(page.getByLabel(w.keep)).not.toBeChecked();
    await expect(page.getByText(w.noScript, { exact: false })).toBeHidden();
    await expect(page.getByRole('button', { name: w.print })).toBeVisible();
    await expectNoAxeViolations(page);
    await expectFitsWidth(page);
    await page.getByLabel(w.keep).check();
    await expect(page.getByRole('status')).toHaveText(w.kept);
    await field(page, lang, 1).fill('x'.repeat(400));
    await expectFitsWidth(page);
    await expectNoAxeViolations(page);
    // The help page, with the help panel open, and its ways to the plan.
    await page.goto(`/${lang}/help`);
    await expect(page.locator(`main a[href="/${lang}/safety-plan"]`)).toBeVisible();
    await page.getByText(w.help, { exact: true }).click();
    await expect(page.getByRole('region', { name: w.panel }).getByRole('link', { name: w.title })).toBeVisible();
    await expectNoAxeViolations(page);
    await expectFitsWidth(page);
  });
}

test('the plan is kept only once turned on, no request carries it, and it is there again after a reload and offline', async ({ page, context }) => {
  const requests = recordRequests(context);
  const secrets = ['雨天的傍晚特别难熬', 'call-Auntie-Lin-8237', '小橘猫等我回家'];
  await page.goto('/zh/safety-plan');
  // Typed before "keep" is on: nothing is stored.
  await field(page, 'zh', 1).fill(secrets[0]);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  await page.getByLabel(WORDS.zh.keep).check();
  await expect(page.getByRole('status')).toHaveText(WORDS.zh.kept);
  await field(page, 'zh', 4).pressSequentially(secrets[1]);
  await field(page, 'zh', 4).press('Enter'); // Enter in a field outside any form sends nothing
  await field(page, 'zh', 7).fill(secrets[2]);
  const kept = JSON.parse(await stored(page));
  expect(kept.f).toEqual({ signs: secrets[0], people: `${secrets[1]}\n`, reason: secrets[2] });
  expect(await page.evaluate(() => localStorage.length)).toBe(1);

  await page.reload();
  await expect(field(page, 'zh', 1)).toHaveValue(secrets[0]);
  await expect(field(page, 'zh', 7)).toHaveValue(secrets[2]);
  await expect(page.getByLabel(WORDS.zh.keep)).toBeChecked();
  expect(await field(page, 'zh', 5).inputValue()).toContain('12356');

  // Offline, once the worker holds the page: a reload still shows the plan.
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(async () => {
    if (!navigator.serviceWorker.controller) return false;
    for (const name of await caches.keys()) {
      if (await (await caches.open(name)).match('/zh/safety-plan')) return true;
    }
    return false;
  });
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(WORDS.zh.title);
  await expect(field(page, 'zh', 1)).toHaveValue(secrets[0]);
  await expect(field(page, 'zh', 4)).toHaveValue(`${secrets[1]}\n`);
  // The English page was cached too, and the kept plan is the same browser's.
  await page.goto('/en/safety-plan');
  await expect(field(page, 'en', 7)).toHaveValue(secrets[2]);
  await context.setOffline(false);
  await expectNothingSent(requests, context, secrets);
  // Nothing of the plan in the worker's cache.
  const cachedText = await page.evaluate(async () => {
    let text = '';
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        if (!req.url.includes('/pkg/')) text += await (await cache.match(req)).text();
      }
    }
    return text;
  });
  for (const secret of secrets) expect(cachedText).not.toContain(secret);
});

test('"forget my plan" empties the fields and the storage in one tap, and a reload shows it empty', async ({ page }) => {
  await page.goto('/en/safety-plan');
  await page.getByLabel(WORDS.en.keep).check();
  await field(page, 'en', 2).fill('Listen to the rain playlist');
  const lines = field(page, 'en', 5);
  const prefilled = await lines.inputValue();
  await lines.fill(`${prefilled}\nDr Wang: 0571-0000`);
  expect(JSON.parse(await stored(page)).f.lines).toContain('Dr Wang');
  await page.reload();
  await expect(lines).toHaveValue(/Dr Wang/);

  await page.getByRole('button', { name: WORDS.en.forget }).click();
  await expect(page.getByRole('status')).toHaveText(WORDS.en.forgotten);
  await expect(field(page, 'en', 2)).toHaveValue('');
  await expect(lines).toHaveValue(prefilled); // back to this site's lines
  await expect(page.getByLabel(WORDS.en.keep)).not.toBeChecked();
  expect(await stored(page)).toBeNull();
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  await page.reload();
  await expect(field(page, 'en', 2)).toHaveValue('');
  await expect(lines).toHaveValue(prefilled);
  await expect(page.getByLabel(WORDS.en.keep)).not.toBeChecked();
  // Turning "keep" off deletes the kept copy too, and leaves the screen as it is.
  await page.getByLabel(WORDS.en.keep).check();
  await field(page, 'en', 3).fill('the library');
  expect(await stored(page)).not.toBeNull();
  await page.getByLabel(WORDS.en.keep).uncheck();
  expect(await stored(page)).toBeNull();
  await expect(field(page, 'en', 3)).toHaveValue('the library');
  await field(page, 'en', 3).fill('the library, the park');
  expect(await stored(page)).toBeNull();
});

test('without WebAssembly the plan works the same (it uses none)', async ({ page }) => {
  await page.addInitScript(() => { delete globalThis.WebAssembly; });
  await page.goto('/en/safety-plan');
  expect(await page.evaluate(() => typeof WebAssembly)).toBe('undefined');
  await page.getByLabel(WORDS.en.keep).check();
  await field(page, 'en', 6).fill('Ask Mum to keep the medicine box');
  await page.reload();
  await expect(field(page, 'en', 6)).toHaveValue('Ask Mum to keep the medicine box');
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.wasm')).length);
  expect(wasm).toBe(0);
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
});

test('without script it is a fill-in-and-print page that says so, and keeps nothing', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/zh/safety-plan');
  await expect(page.getByText(WORDS.zh.noScript, { exact: false })).toBeVisible();
  await expect(page.getByLabel(WORDS.zh.keep)).toBeHidden();
  await expect(page.getByRole('button', { name: WORDS.zh.forget })).toBeHidden();
  await field(page, 'zh', 1).fill('没有脚本也能写');
  await expect(field(page, 'zh', 1)).toHaveValue('没有脚本也能写');
  await expectFitsWidth(page);
  await page.reload();
  await expect(field(page, 'zh', 1)).toHaveValue('');
  await context.close();
});

test('the plan prints on one page, with what was written', async ({ page }) => {
  await page.goto('/zh/safety-plan');
  const lines = ['第一行：写下来的内容', '第二行：还有一些', '第三行'].join('\n');
  for (const n of [1, 2, 3, 4, 6, 7]) await field(page, 'zh', n).fill(lines);
  await page.emulateMedia({ media: 'print' });
  const copies = page.locator('[data-print-copy]');
  await expect(copies.first()).toBeVisible();
  await expect(copies.first()).toHaveText(lines, { useInnerText: true });
  await expect(copies.nth(4)).toContainText('12356');
  await expect(field(page, 'zh', 1)).toBeHidden();
  await expect(page.locator('.safety-bar')).toBeHidden();
  await expect(page.locator('.site-header')).toBeHidden();
  await expect(page.getByRole('button', { name: WORDS.zh.forget })).toBeHidden();
  // (A PDF is made with the print stylesheet unless screen media is emulated.)
  const pdf = (await page.pdf({ format: 'A4' })).toString('latin1');
  const pages = pdf.match(/\/Type\s*\/Page(?!s)/g) || [];
  expect(pages.length, 'printed pages').toBe(1);
});

/** Answers the first eight PHQ-9 items with the first option and item 9 with the second. */
async function endorseItemNine(page, next) {
  for (let i = 0; i < 8; i++) {
    await page.locator('.question .option').first().click();
    await page.getByRole('button', { name: next }).click();
  }
  await page.locator('.question .option').nth(1).click();
}

test('one tap from the help panel, the crisis dialog and a result', async ({ page }) => {
  await page.goto('/zh/courses');
  await page.getByText('需要帮助？', { exact: true }).click();
  await page.getByRole('region', { name: '求助热线' }).getByRole('link', { name: '我的安全计划' }).click();
  await expect(page).toHaveURL(/\/zh\/safety-plan$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('我的安全计划');

  await page.goto('/zh/self-check/phq9');
  await waitForIsland(page);
  await endorseItemNine(page, '下一题');
  const dialog = page.getByRole('alertdialog');
  await expect(dialog.getByRole('link', { name: '打开我的安全计划' })).toHaveAttribute('href', '/zh/safety-plan');
  await dialog.getByRole('button', { name: '继续答题' }).click();
  await page.getByRole('button', { name: '查看结果' }).click();
  await expect(page.locator('.next-steps a[href="/zh/safety-plan"]')).toHaveText('写下我的安全计划：难受时可以做的事和可以找的人');

  // In English too, and the dialog with its new link passes axe.
  await page.goto('/en/self-check/phq9');
  await waitForIsland(page);
  await endorseItemNine(page, 'Next');
  const en = page.getByRole('alertdialog');
  await expect(en.getByRole('link', { name: 'Open my safety plan' })).toHaveAttribute('href', '/en/safety-plan');
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  await en.getByRole('link', { name: 'Open my safety plan' }).click();
  await expect(page).toHaveURL(/\/en\/safety-plan$/);
});
