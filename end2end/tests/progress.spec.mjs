// Reading progress on the phone: off until the reader turns it on, kept only in this
// browser (no request carries it: no fetch, no form, no cookie), shown on the course
// page and the "my learning" page, movable by a code, and forgotten in one tap.
import { test, expect, expectNoAxeViolations, expectFitsWidth } from './helpers.mjs';

const COURSE = /和青春期的孩子好好说话/;
const FIRST = '先听完，再说话';
const SECOND = '手机和网络：一起定规则';

/** Every request the page makes, with what kind of request it is. */
function recordRequests(page) {
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), type: r.resourceType(), body: r.postData() }));
  return requests;
}

/** No request could have carried progress: page loads and their files only. */
async function expectNothingSent(requests, context) {
  for (const r of requests) {
    expect(r.method, `${r.method} ${r.url}`).toBe('GET');
    expect(r.body, r.url).toBeFalsy();
    expect(['xhr', 'fetch', 'websocket', 'eventsource', 'ping'], `${r.type} ${r.url}`).not.toContain(r.type);
    expect(r.url, 'no progress code in an address').not.toContain('ANXIN1');
  }
  expect(await context.cookies()).toEqual([]);
}

const stored = (page) => page.evaluate(() => localStorage.getItem('anxin.progress'));

test('progress is opt-in, stays on the phone, moves by a code and is forgotten in one tap', async ({ page, context, browser }) => {
  const requests = recordRequests(page);
  await page.goto('/zh/parent-school');
  await page.getByRole('link', { name: COURSE }).click();
  const panel = page.getByRole('region', { name: '我的学习进度' });
  await expect(panel).toBeVisible();
  // Nothing is kept before the reader says so; "not now" keeps it that way.
  await expect(panel.getByRole('button', { name: '记住我的进度' })).toBeVisible();
  await panel.getByRole('button', { name: '暂时不用' }).click();
  await expect(panel.getByRole('button', { name: '记住我的进度' })).toBeHidden();
  await page.getByRole('link', { name: FIRST, exact: true }).click();
  expect(await page.evaluate(() => localStorage.length)).toBe(0);

  // Turned on from the "my learning" page, where the question is always offered.
  await page.goto('/zh/my');
  await page.getByRole('button', { name: '记住我的进度' }).click();
  await expect(page.getByText('这台设备还没有学习记录', { exact: false })).toBeVisible();
  await expect(page.getByText('学习记录需要浏览器开启 JavaScript')).toBeHidden();
  await page.goto('/zh/parent-school');
  await page.getByRole('link', { name: COURSE }).click();
  await page.getByRole('link', { name: FIRST, exact: true }).click();
  await page.getByLabel('我已学完这一课').check();
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  await page.getByRole('link', { name: new RegExp(SECOND) }).first().click();
  await page.getByRole('link', { name: COURSE }).first().click();
  // The course shows what is done, how far along, and where to go on.
  await expect(page.getByRole('listitem').filter({ hasText: FIRST }).getByText('✓ 已学完')).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: SECOND }).getByText('✓ 已学完')).toBeHidden();
  await expect(page.getByText('已学完 1 / 2 课')).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveAttribute('value', '1');
  await expect(page.getByRole('link', { name: `接着学： ${SECOND}` })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto('/zh/my');
  const list = page.locator('[data-list]');
  await expect(list.getByRole('link', { name: COURSE })).toBeVisible();
  await expect(list.getByRole('listitem').filter({ hasText: COURSE })).toContainText('已学完 1 / 2 课');
  await expect(list.getByRole('listitem').filter({ hasText: FIRST })).toContainText('✓ 已学完');
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  expect(JSON.parse(await stored(page)).items).toBeTruthy();
  await expectNothingSent(requests, context);

  // Moving to a new phone: a code, pasted there; nothing goes through the server.
  await page.getByRole('button', { name: '生成进度码' }).click();
  const code = await page.getByLabel('进度码', { exact: true }).inputValue();
  expect(code).toMatch(/^ANXIN1\./);
  const other = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const phone = await other.newPage();
  const otherRequests = recordRequests(phone);
  await phone.goto('/zh/my');
  await phone.getByRole('button', { name: '记住我的进度' }).click();
  await phone.getByLabel('粘贴进度码').fill('not a code');
  await phone.getByRole('button', { name: '导入' }).click();
  await expect(phone.getByRole('status')).toHaveText('这串进度码无法识别，请检查是否复制完整。');
  await phone.getByLabel('粘贴进度码').fill(code);
  await phone.getByRole('button', { name: '导入' }).click();
  await expect(phone.getByRole('status')).toHaveText('已导入。');
  await expect(phone.locator('[data-list]').getByRole('listitem').filter({ hasText: FIRST })).toContainText('✓ 已学完');
  await expectNothingSent(otherRequests, other);
  await other.close();

  // Forget everything: one tap, and nothing is left.
  await page.getByRole('button', { name: '清除这台设备上的全部学习记录' }).click();
  await expect(page.getByRole('status')).toHaveText('这台设备上的学习记录已全部清除。');
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  await expect(list).toBeHidden();
});

test('a code that would make a link to another site is refused', async ({ page }) => {
  await page.goto('/zh/my');
  await page.getByRole('button', { name: '记住我的进度' }).click();
  const evil = { v: 1, items: { l1: { t: 'x', u: 'javascript:alert(1)', d: 1, at: 1 }, l2: { t: 'y', u: 'https://evil.example/zh/lessons/2', at: 1 } } };
  const code = 'ANXIN1.' + Buffer.from(JSON.stringify(evil)).toString('base64');
  await page.getByLabel('粘贴进度码').fill(code);
  await page.getByRole('button', { name: '导入' }).click();
  await expect(page.getByRole('status')).toHaveText('已导入。');
  await expect(page.locator('[data-list] a')).toHaveCount(0);
});

test('without script the page says what is needed, and lessons read as before', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/zh/my');
  await expect(page.getByText('学习记录需要浏览器开启 JavaScript')).toBeVisible();
  await page.goto('/zh/parent-school');
  await page.getByRole('link', { name: COURSE }).click();
  await expect(page.getByRole('region', { name: '我的学习进度' })).toBeHidden();
  await expect(page.getByRole('link', { name: FIRST, exact: true })).toBeVisible();
  await context.close();
});
