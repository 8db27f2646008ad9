// Booking on a 360-px phone with no account, through the real pages (no script
// needed): a parent books the Saturday night clinic and gets a code; the last places
// go; a second person joins the waitlist; the parent cancels and the second person is
// confirmed; the clinic's desk sees both in its week view and each booking's history.
// Runs against the SQLite server and, when the test command gives one, a PostgreSQL one.
import { execFileSync } from 'node:child_process';
import { test, expect, expectNoAxeViolations, expectFitsWidth } from './helpers.mjs';

const password = 'river-lamp-42';

function anxin(args) {
  const { databaseUrl } = test.info().project.metadata;
  const env = { ...process.env, ANXIN_PASSWORD: password };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  execFileSync('../target/release/anxin', [...args, '--data-dir', test.info().project.metadata.dataDir], { env });
}

async function accessible(page) {
  await expectNoAxeViolations(page);
  await expectFitsWidth(page);
}

/** Books the first open Saturday-night slot on this page as `name`, `phone`. */
async function book(page, name, phone) {
  await page.getByLabel('称呼').fill(name);
  await page.getByLabel('手机号').fill(phone);
  await page.getByLabel('家长', { exact: true }).check();
  await page.getByLabel('学生的学段').selectOption('junior');
}

test.describe('the night clinic', () => {
// The form with a mistake answers 422, which the browser logs.
test.use({ expectedConsoleErrors: [/status of 422/] });

test('a parent books the night clinic, cancels, and the person waiting gets the place', async ({ page, browser }) => {
  test.setTimeout(90_000);
  await page.goto('/zh/booking');
  await accessible(page);
  await page.getByRole('link', { name: /周六夜间门诊/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: /周六夜间门诊/ })).toBeVisible();
  await accessible(page);
  const slot = page.locator('a.slot').first();
  await expect(slot).toContainText('剩 3 个名额');
  await slot.click();
  const slotUrl = page.url();
  await accessible(page);

  // A mistake first: the form comes back with what was typed and says what is wrong.
  await book(page, '小林妈妈', '138 0013');
  await page.getByRole('button', { name: '确认预约' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '请改一下这几处' })).toBeVisible();
  await expect(page.getByLabel('称呼')).toHaveValue('小林妈妈');
  await expect(page.getByLabel('手机号')).toHaveAttribute('aria-invalid', 'true');
  await accessible(page);
  await page.getByLabel('手机号').fill('138 0013 8000');
  await page.getByRole('button', { name: '确认预约' }).click();

  await expect(page.getByRole('heading', { level: 1, name: '预约已提交' })).toBeVisible();
  const code = (await page.locator('.booking-code').textContent()).trim();
  expect(code).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{4}-[ACDEFGHJKMNPQRTUVWXY34679]{4}$/);
  await expect(page.locator('.booking-status')).toHaveText('已确认');
  await expect(page.getByRole('link', { name: '加到手机日历' })).toBeVisible();
  // Beside the calendar button: what the entry says, and that family may see it.
  await expect(page.getByRole('link', { name: '加到手机日历' })).toHaveAccessibleDescription(/如果日历和家人共用/);
  await accessible(page);
  const manage = page.url().split('?')[0];
  await page.goto(manage.replace('/zh/', '/en/'));
  await expect(page.getByText(/If your calendar is shared with family/)).toBeVisible();
  await accessible(page);
  expect(await page.context().cookies()).toEqual([]);

  // Two more take the last places (through the API, as a school's system would).
  const slotId = Number(slotUrl.split('/').pop().split('?')[0]);
  for (const phone of ['13900000001', '13900000002']) {
    const response = await page.request.post('/api/v1/bookings', {
      data: { slot: slotId, name: '别的家长', phone, attendee: 'parent', stage: 'senior' },
    });
    expect(response.status()).toBe(201);
  }

  // A second person finds it full and joins the waitlist.
  const other = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const second = await other.newPage();
  await second.goto(slotUrl);
  await expect(second.getByText('这个时间已经约满')).toBeVisible();
  await book(second, '小王爸爸', '137 0013 7000');
  await second.getByRole('button', { name: '加入候补' }).click();
  await expect(second.locator('.booking-status')).toHaveText('候补中');
  await expect(second.getByText('前面还有 0 人')).toBeVisible();
  await accessible(second);
  const waiting = second.url().split('?')[0];
  const waitingCode = (await second.locator('.booking-code').textContent()).trim();

  // The parent cancels; the page says so.
  await page.goto(manage);
  await page.getByText('取消预约', { exact: true }).click();
  await page.getByRole('button', { name: '确认取消' }).click();
  await expect(page.getByText('预约已取消。')).toBeVisible();
  await expect(page.locator('.booking-status')).toHaveText('已取消');
  await accessible(page);

  // The person waiting is confirmed, under the same code and link.
  await second.goto(waiting);
  await expect(second.locator('.booking-status')).toHaveText('已确认');
  await expect(second.locator('.booking-code')).toHaveText(waitingCode);
  await other.close();

  // The clinic's desk sees both in its week view, and each booking's history.
  const suffix = Date.now().toString(36);
  anxin(['staff', 'create', '--username', `desk-${suffix}`, '--display-name', '门诊前台', '--org', 'sample-clinic', '--role', 'clinic']);
  await page.goto('/zh/staff/login');
  await page.getByLabel('用户名').fill(`desk-${suffix}`);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('link', { name: '预约台' }).click();
  await page.getByRole('link', { name: '按周查看' }).click();
  await accessible(page);
  const cancelled = page.locator('.desk-booking', { hasText: code });
  await expect(cancelled).toContainText('已取消');
  await expect(cancelled).toContainText('小林妈妈');
  await expect(cancelled).toContainText('138****8000');
  const promoted = page.locator('.desk-booking', { hasText: waitingCode });
  await expect(promoted).toContainText('已确认');
  await promoted.getByRole('link', { name: '小王爸爸' }).click();
  await expect(page.getByText('13700137000')).toBeVisible();
  const history = page.locator('.history');
  await expect(history).toContainText('加入候补');
  await expect(history).toContainText('候补递补为已确认');
  await accessible(page);

  // The outbox: this server sends no messages (no gateway, no mail server), and says so.
  await page.goto('/zh/staff/booking');
  await page.getByRole('link', { name: '消息记录' }).first().click();
  await expect(page.getByText('还没有发给预约人的消息')).toBeVisible();
  await accessible(page);
  await page.goto(page.url().replace('/zh/', '/en/'));
  await expect(page.getByText('No messages to people who booked yet')).toBeVisible();
  await accessible(page);

  // A new service's form, with its reminders and fair-draw fields, in both languages.
  const org = new URL(page.url()).searchParams.get('org');
  await page.goto(`/zh/staff/booking/services/new?org=${org}`);
  await expect(page.getByLabel(/公平抽签/)).toHaveValue('0');
  await expect(page.getByLabel(/提醒（就诊前几小时/)).toHaveValue('24,2');
  await accessible(page);
  await page.goto(`/en/staff/booking/services/new?org=${org}`);
  await expect(page.getByLabel(/Fair draw/)).toBeVisible();
  await expect(page.locator('.message-preview')).toContainText('Anxin appointment: Sat 5 Dec 18:00-21:00. Code K7M2-P9QX.');
  await accessible(page);

  // The discreet title: refused when it says what the service is; once saved, the
  // preview beside it is the confirmation text people will get.
  await page.goto(`/zh/staff/booking/services/new?org=${org}`);
  await expect(page.locator('.message-preview')).toContainText('安心预约：12月5日 周六 18:00-21:00。预约码 K7M2-P9QX。');
  const fillService = async (title) => {
    await page.getByLabel('名称（中文）').fill(`周六小组 ${suffix}`);
    await page.getByLabel('称呼（中文，可不填）').fill(title);
    // Not offered: a real service would change what other tests' pages offer.
    await page.getByLabel('启用', { exact: true }).uncheck();
    await page.getByRole('button', { name: '保存', exact: true }).click();
  };
  await fillService('心理咨询');
  // The refusal (the hint above the field says the rule too, in other words).
  await expect(page.getByText(/“医院”“热线”这类/)).toBeVisible();
  await accessible(page);
  await page.goto(`/zh/staff/booking/services/new?org=${org}`);
  await fillService('周六之约');
  await expect(page.getByText('已保存。')).toBeVisible();
  await expect(page.locator('.message-preview')).toContainText('周六之约：12月5日 周六 18:00-21:00。');
  await accessible(page);
});

});

test.describe('finding a booking', () => {
// A code that matches nothing answers 404, which the browser logs.
test.use({ expectedConsoleErrors: [/status of 404/] });

test('a booking is found again with its code and phone number', async ({ page }) => {
  await page.goto('/zh/booking/find');
  await page.getByLabel('预约码').fill('ACDE-FGH3');
  await page.getByLabel('手机号').fill('13800138000');
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page.getByRole('alert')).toContainText('没有找到这个预约');
  await accessible(page);
});
});
