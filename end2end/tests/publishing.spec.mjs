// An editor writes a lesson with an image, a reviewer publishes it, and a visitor
// reads it on a 360-px phone: the whole publishing path through the real UI.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { test, expect, expectNoAxeViolations, expectFitsWidth } from './helpers.mjs';

const password = 'river-lamp-42';

function createAccount(username, role) {
  execFileSync('../target/release/anxin', [
    'staff', 'create', '--data-dir', process.env.ANXIN_E2E_DATA_DIR,
    '--username', username, '--display-name', username, '--org', 'sample-district', '--role', role,
  ], { env: { ...process.env, ANXIN_PASSWORD: password } });
}

async function signIn(page, username) {
  await page.goto('/zh/staff/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();
}

test('an editor writes a lesson with an image, a reviewer publishes it, a visitor reads it', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const suffix = Date.now().toString(36);
  createAccount(`editor-${suffix}`, 'editor');
  createAccount(`reviewer-${suffix}`, 'reviewer');
  const title = `呼吸与专注 ${suffix}`;

  // The editor adds a lesson to a sample course.
  await signIn(page, `editor-${suffix}`);
  await page.getByRole('link', { name: '认识和照顾自己的情绪' }).first().click();
  const courseUrl = page.url();
  await page.getByLabel('新课时标题').fill(title);
  await page.getByRole('button', { name: '添加课时' }).click();
  await expect(page.getByLabel('标题', { exact: true })).toHaveValue(title);
  await expectNoAxeViolations(page);

  await page.getByLabel('选择文件').setInputFiles('tests/fixtures/calm.png');
  await page.getByRole('button', { name: '上传', exact: true }).click();
  await expect(page.getByText('文件已上传。')).toBeVisible();
  const snippet = (await page.locator('.uploads code').first().textContent()).replace('图片说明', '一片平静的绿色');
  await page.getByLabel('简介').fill('用一分钟呼吸，让注意力回来。');
  await page.getByLabel('正文（Markdown）').fill(`# 一分钟呼吸\n\n${snippet}\n\n慢慢吸气，慢慢呼气。`);
  await page.getByLabel('初中生', { exact: true }).check();
  await page.getByLabel('情绪', { exact: true }).check();
  await page.getByLabel('阅读或观看时长（分钟）').fill('3');
  await page.getByRole('button', { name: '保存并提交审核' }).click();
  await expect(page.getByText('已提交审核。')).toBeVisible();
  const lessonEditor = page.url().split('?')[0];

  // Not public yet.
  const lessonId = lessonEditor.split('/').pop();
  expect((await page.request.get(`/zh/lessons/${lessonId}`)).status()).toBe(404);
  await page.getByRole('button', { name: '退出登录' }).click();

  // The reviewer approves it.
  await signIn(page, `reviewer-${suffix}`);
  await page.goto(lessonEditor);
  await page.getByRole('button', { name: '通过并发布' }).click();
  await expect(page.getByText('已通过。')).toBeVisible();
  await page.getByRole('button', { name: '退出登录' }).click();

  // A visitor on a phone finds it in the course and reads it.
  const visitor = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const reader = await visitor.newPage();
  const courseId = courseUrl.split('/').pop();
  await reader.goto(`/zh/courses/${courseId}`);
  await reader.getByRole('link', { name: title }).click();
  await expect(reader.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const image = reader.getByRole('img', { name: '一片平静的绿色' });
  await expect(image).toBeVisible();
  // The picture has its size before it has its pixels (width/height attributes, lazy, async
  // decoding): wait for it to load, then check that what arrived is the real picture.
  await image.scrollIntoViewIfNeeded();
  await expect.poll(() => image.evaluate((img) => (img.complete ? img.naturalWidth : -1))).toBe(64);
  await expect(reader.getByRole('navigation', { name: '课程内翻页' })).toBeVisible();
  await expectNoAxeViolations(reader);
  await expectFitsWidth(reader);
  expect(await reader.context().cookies()).toEqual([]);

  // A poster of it for the school's notice board: its QR code, on a phone too.
  const lessonPage = reader.url();
  await reader.getByRole('link', { name: /打印带二维码的海报/ }).click();
  await expect(reader.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(reader.getByRole('img', { name: /二维码/ })).toBeVisible();
  // Its short link, to type from the notice board, leads to the same page.
  await expect(reader.locator('.poster-url')).toHaveText(/\/s\/l[0-9a-z]+$/);
  const short = await reader.locator('.poster-url').textContent();
  await expectNoAxeViolations(reader);
  await expectFitsWidth(reader);
  await reader.goto(reader.url().replace('/zh/', '/en/'));
  await expect(reader.getByRole('img', { name: /QR code/ })).toBeVisible();
  await expectNoAxeViolations(reader);
  await expectFitsWidth(reader);
  await reader.goto(short);
  expect(reader.url()).toBe(lessonPage);
  await visitor.close();
});

test('the catalogue filters by audience and works on a phone', async ({ page }) => {
  await page.goto('/zh/courses');
  await page.getByLabel('适合谁').selectOption('teachers');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page.getByRole('link', { name: /发现学生心理危机信号/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /考试季/ })).toHaveCount(0);
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  await page.goto('/zh/parent-school');
  await expect(page.getByRole('link', { name: /和青春期的孩子好好说话/ })).toBeVisible();
  await expectNoAxeViolations(page);
});

test('search finds lessons in Chinese and English, marks the words, and works on a phone', async ({ page }) => {
  await page.goto('/zh/parent-school');
  await page.getByRole('searchbox', { name: '搜索课程、微课和文章' }).fill('睡眠');
  await page.getByRole('button', { name: '搜索', exact: true }).click();
  await expect(page).toHaveURL(/\/zh\/search\?q=/);
  const hit = page.getByRole('link', { name: /睡个好觉/ });
  await expect(hit).toBeVisible();
  await expect(hit.locator('mark').first()).toHaveText(/睡眠|睡/);
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  await page.goto('/en/search?q=' + encodeURIComponent('no such words here'));
  await expect(page.getByRole('status')).toContainText('Nothing found');
  await expectNoAxeViolations(page);
});

test('a school embeds its centre\'s content; only the embed may be framed', async ({ page, browser, baseURL }) => {
  // The embed on its own: readable and accessible on a phone.
  await page.goto('/zh/embed/sample-family-centre');
  await expect(page.getByRole('heading', { level: 1, name: /示例市家庭教育指导中心/ })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);

  // A school's page on another origin (a second local server) frames it, and, wrongly,
  // the catalogue.
  const schoolPage = `<!doctype html><html lang="zh-CN"><title>示例学校</title><h1>示例学校</h1>
    <iframe id="embed" title="课程" src="${baseURL}/zh/embed/sample-family-centre" width="340" height="600"></iframe>
    <iframe id="catalogue" title="不应显示" src="${baseURL}/zh/courses" width="340" height="300"></iframe>`;
  const schoolServer = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(schoolPage));
  await new Promise((ready) => schoolServer.listen(0, '127.0.0.1', ready));
  const school = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const host = await school.newPage();
  await host.goto(`http://127.0.0.1:${schoolServer.address().port}/`);
  const embed = host.frameLocator('#embed');
  await expect(embed.getByRole('link', { name: /和青春期的孩子好好说话/ })).toBeVisible();
  // The centre's own (sample) line is listed, marked as a sample, not as a number to call.
  await expect(embed.getByText('000-0000-0002')).toBeVisible();
  await expect(embed.getByRole('link', { name: /000-0000-0002/ })).toHaveCount(0);
  // Chromium refuses to render the ordinary page in the frame: it shows its error page.
  await expect.poll(() => host.frames().map((f) => f.url())).toContain('chrome-error://chromewebdata/');
  expect(host.frames().map((f) => f.url()).filter((u) => u.endsWith('/zh/courses'))).toEqual([]);

  // A course opens on Anxin in a new tab, with the centre's line in the help panel.
  const [tab] = await Promise.all([
    school.waitForEvent('page'),
    embed.getByRole('link', { name: /和青春期的孩子好好说话/ }).click(),
  ]);
  await tab.waitForLoadState();
  expect(tab.url()).toContain('?org=sample-family-centre');
  const help = tab.locator('#help');
  await help.locator('summary').click();
  await expect(help.getByText(/示例家庭教育咨询热线/)).toBeVisible();
  await school.close();
  schoolServer.close();
});

test('an admin sets up two-factor sign-in; staff pages stay accessible on a phone', async ({ page }) => {
  const suffix = Date.now().toString(36);
  createAccount(`admin-${suffix}`, 'admin');
  await signIn(page, `admin-${suffix}`);
  await page.goto('/zh/staff/account');
  await page.getByRole('button', { name: '开启双重验证' }).click();
  await expect(page.getByText('请按下面的步骤完成设置。')).toBeVisible();
  await expect(page.getByRole('img', { name: '双重验证设置二维码' })).toBeVisible();
  await expect(page.locator('.recovery-codes li')).toHaveCount(10);
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  // A wrong code is refused with a clear message, and nothing is turned on.
  await page.getByLabel('验证器应用显示的验证码').fill('000000');
  await page.getByRole('button', { name: '确认并开启' }).click();
  await expect(page.getByRole('alert')).toHaveText('验证码不正确，或已经用过。');
  // The people page asks for the admin's own password before account changes.
  await page.goto('/zh/staff/people');
  await expect(page.getByLabel('你的密码（确认是你本人）').first()).toBeVisible();
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  await page.goto('/zh/staff/audit');
  await expect(page.getByRole('cell', { name: '登录', exact: true }).first()).toBeVisible();
  await expectNoAxeViolations(page);
});

test('an editor sets up the parent school by grade band; parents see it; reports read on a phone', async ({ page, browser }) => {
  test.setTimeout(60_000);
  const suffix = Date.now().toString(36);
  createAccount(`ps-editor-${suffix}`, 'editor');
  await signIn(page, `ps-editor-${suffix}`);
  await page.getByRole('link', { name: '家长学校设置' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '家长学校设置' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
  await page.getByLabel('和青春期的孩子好好说话').check();
  await page.getByRole('button', { name: '保存', exact: true }).first().click();
  await expect(page.getByRole('status')).toHaveText('已保存。');
  const chinaDay = (offset) => new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);
  await page.getByLabel('课', { exact: true }).selectOption({ label: '先听完，再说话' });
  await page.getByLabel('从', { exact: true }).fill(chinaDay(0));
  await page.getByLabel('到', { exact: true }).fill(chinaDay(30));
  await page.getByRole('button', { name: '添加推荐' }).click();
  await expect(page.getByRole('status')).toHaveText('已保存。');
  await expect(page.getByRole('button', { name: '取消推荐' })).toBeVisible();

  // A parent arriving through the district's link: its series first, this term's lesson.
  const parentContext = await browser.newContext();
  const parent = await parentContext.newPage();
  await parent.goto('/zh/parent-school?org=sample-district');
  await parent.getByRole('link', { name: /初中家长/ }).click();
  await expect(parent.getByRole('heading', { level: 1, name: '初中家长' })).toBeVisible();
  const assigned = parent.getByRole('region', { name: '学校为家长安排的课程' });
  await expect(assigned.getByRole('link', { name: /和青春期的孩子好好说话/ })).toBeVisible();
  await expect(parent.getByRole('region', { name: '本学期推荐' }).getByRole('link', { name: '先听完，再说话' })).toBeVisible();
  await expectNoAxeViolations(parent);
  await expectFitsWidth(parent);
  await parentContext.close();

  await page.getByRole('link', { name: '统计报告' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '统计报告' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: '每月阅读人次' })).toBeVisible();
  await expect(page.getByRole('link', { name: '下载 CSV' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);

  // The same pages in English.
  for (const [path, heading] of [
    ['/en/staff/reports', 'Reports'],
    ['/en/staff/parent-school', 'Courses for parents: settings'],
    ['/en/parent-school/junior?org=sample-district', 'Parents of junior secondary students'],
    ['/en/my', 'My learning'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expectNoAxeViolations(page);
    await expectFitsWidth(page);
  }
});
