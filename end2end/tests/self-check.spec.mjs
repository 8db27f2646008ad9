import { test, expect, expectNoAxeViolations, expectFitsWidth, waitForIsland } from './helpers.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SHIPPED = ['phq9', 'gad7', 'phq4', 'k10', 'who5'];
const emptyDataDir = mkdtempSync(join(tmpdir(), 'anxin-native-'));

/** The native engine's result for the same answers (`anxin instruments score`). */
function nativeScore(id, answers) {
  const out = execFileSync('../target/release/anxin', ['instruments', 'score', id, '--answers', answers.join(','), '--data-dir', emptyDataDir]);
  return JSON.parse(out.toString());
}

const fmt = (v) => (Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(2));
const DIRECTION = { symptom: '(higher means more distress)', wellbeing: '(higher means better wellbeing)' };
/** A score as the English result shows it: which way it reads, and its range when it does not start at 0. */
const shown = (s) => `${s.min === 0 ? `${fmt(s.value)} / ${fmt(s.max)}` : `${fmt(s.value)} (range ${fmt(s.min)}–${fmt(s.max)})`} ${DIRECTION[s.direction]}`;

/** Answers every question, option `pick(i, count)` each time; returns the values given. */
async function answerAll(page, pick, { onCrisis } = {}) {
  const values = [];
  for (let i = 0; ; i++) {
    const options = page.locator('.question .option');
    await expect(options.first()).toBeVisible();
    const count = await options.count();
    const choice = options.nth(pick(i, count));
    values.push(Number(await choice.locator('input').getAttribute('value')));
    await choice.click();
    const dialog = page.getByRole('alertdialog');
    if (await dialog.isVisible()) {
      if (onCrisis) await onCrisis(dialog, i);
      await dialog.getByRole('button').click();
      await expect(dialog).toBeHidden();
    }
    const finish = page.getByRole('button', { name: 'See my result' });
    if (await finish.isVisible()) {
      await finish.click();
      return values;
    }
    await page.getByRole('button', { name: 'Next' }).click();
  }
}

test.describe('self-check', () => {
  for (const id of SHIPPED) {
    test(`${id}: scored on the phone, identical to the native engine, nothing leaves the phone`, async ({ page, context }) => {
      const requests = [];
      page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
      page.on('websocket', (ws) => requests.push({ url: ws.url(), method: 'WEBSOCKET' }));
      await page.goto(`/en/self-check/${id}`);
      await waitForIsland(page);
      const pageUrl = page.url();

      const values = await answerAll(page, (i, n) => (i * 2 + 1) % n);
      await expect(page.getByRole('heading', { name: 'Your result' })).toBeFocused();

      // Same numbers as the native engine.
      const native = nativeScore(id, values);
      const expected = native.scores.filter((s) => s.band).map(shown);
      await expect(page.locator('.score-value')).toHaveText(expected);
      const bands = native.scores.filter((s) => s.band).map((s) => s.band.label.en);
      await expect(page.locator('.score-band')).toHaveText(bands);

      // Privacy: every request (the page's and the offline worker's) was a same-origin GET
      // of a public page or asset, with no query string and no body; the URL never
      // changed; nothing was stored but the worker's copies of public pages and assets.
      expect(page.url()).toBe(pageUrl);
      const origin = new URL(pageUrl).origin;
      const isPublic = (u) => {
        const url = new URL(u);
        return url.origin === origin && url.search === '' &&
          (url.pathname.startsWith('/pkg/') || ['/favicon.svg', '/sw.js'].includes(url.pathname) || /^\/(zh|en)(\/(help|safety-plan|self-check(\/[a-z0-9-]+)?))?$/.test(url.pathname));
      };
      for (const r of requests) {
        expect(isPublic(r.url) && r.method === 'GET' && !r.body, `unexpected request ${r.method} ${r.url}`).toBe(true);
      }
      const stored = await page.evaluate(async () => {
        const cached = [];
        for (const name of await caches.keys()) {
          for (const req of await (await caches.open(name)).keys()) cached.push(req.url);
        }
        return {
          local: localStorage.length,
          session: sessionStorage.length,
          cookie: document.cookie,
          idb: (await indexedDB.databases()).length,
          cached,
        };
      });
      expect({ ...stored, cached: undefined }).toEqual({ local: 0, session: 0, cookie: '', idb: 0, cached: undefined });
      for (const url of stored.cached) expect(isPublic(url), `cached ${url}`).toBe(true);
      expect(await context.cookies()).toEqual([]);
    });
  }

  /** Answers the first eight PHQ-9 items with "完全不会" and item 9 with "好几天". */
  async function endorseItemNine(page) {
    for (let i = 0; i < 8; i++) {
      await page.locator('.question .option').first().click();
      await page.getByRole('button', { name: '下一题' }).click();
    }
    await expect(page.getByRole('alertdialog')).toHaveCount(0);
    await page.locator('.question .option').nth(1).click(); // item 9: "好几天"
  }

  test('a critical answer opens crisis help at once: the help line and a trusted adult first, no claim of safety asked', async ({ page }) => {
    await page.goto('/zh/self-check/phq9');
    await waitForIsland(page);
    await endorseItemNine(page);
    const dialog = page.getByRole('alertdialog', { name: '你不必一个人扛' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('heading')).toBeFocused();
    // 12356 leads; 120 and 110 come last, for someone already hurt or in danger.
    const numbers = await dialog.locator('a[href^="tel:"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(numbers[0]).toBe('tel:12356');
    expect(numbers.slice(-2)).toEqual(['tel:120', 'tel:110']);
    await expect(dialog.getByText('或者告诉一个你信任的大人')).toBeVisible();
    // The sample line (made-up number) never appears in crisis help.
    await expect(dialog.getByText('示例')).toHaveCount(0);
    expect(numbers).not.toContain('tel:00000000000');
    // Two ways on, neither asking the child to say they are safe.
    await expect(dialog.getByRole('link', { name: '现在找人聊' })).toHaveAttribute('href', '/zh/help');
    const buttons = dialog.getByRole('button');
    await expect(buttons).toHaveText(['继续答题']);
    // "安全" only in the name of the safety plan it links to, never as a question.
    await expect(dialog.getByRole('link', { name: '打开我的安全计划' })).toHaveAttribute('href', '/zh/safety-plan');
    expect((await dialog.innerText()).replaceAll('安全计划', '')).not.toContain('安全');
    await expectFitsWidth(page);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeVisible();
    await expectNoAxeViolations(page);
    await dialog.getByRole('button', { name: '继续答题' }).click();
    await expect(dialog).toBeHidden();
    // A low total with a critical answer: the result leads with the crisis help and
    // shows none of the low band's reassurance.
    await page.getByRole('button', { name: '查看结果' }).click();
    const lead = page.locator('.crisis-lead');
    await expect(lead.getByRole('heading')).toHaveText('你提到的念头比总分更重要');
    await expect(lead.locator('a[href^="tel:"]').first()).toHaveAttribute('href', 'tel:12356');
    // Not its label either ("没有明显的抑郁症状"), here or in the QR code.
    await expect(page.locator('.score-value')).toHaveText([/^1 \/ 27/]);
    await expect(page.locator('.score-band')).toHaveText(['']);
    await expect(page.locator('.questionnaire')).not.toContainText('没有明显的抑郁症状');
    await expect(page.locator('.questionnaire')).not.toContainText('和大多数同龄人差不多');
    await page.getByRole('button', { name: '生成给咨询师看的二维码' }).click();
    await expect(page.locator('.qr-text')).toHaveText(/^PHQ-9 \d{4}-\d{2}-\d{2}\n总分: 1\/27\n提到过不如死掉或伤害自己的念头$/);
    // The crisis help comes before the score.
    const order = await page.locator('.crisis-lead, .score').evaluateAll((els) => els.map((e) => e.className));
    expect(order[0]).toBe('crisis-lead');
    await expectNoAxeViolations(page);
  });

  test('"talk to someone now" opens the help page from the crisis dialog', async ({ page }) => {
    await page.goto('/zh/self-check/phq9');
    await waitForIsland(page);
    await endorseItemNine(page);
    await page.getByRole('alertdialog').getByRole('link', { name: '现在找人聊' }).click();
    await expect(page).toHaveURL(/\/zh\/help$/);
    await expect(page.locator('main a[href="tel:12356"]')).toBeVisible();
  });

  test('every next step after a result leads to something this deployment offers', async ({ page }) => {
    await page.goto('/en/self-check/gad7');
    await waitForIsland(page);
    await answerAll(page, (i, n) => n - 1);
    const links = await page.locator('.next-steps a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links.length).toBeGreaterThan(0);
    for (const href of links) {
      const response = await page.request.get(href);
      expect(response.status(), href).toBe(200);
      const html = await response.text();
      expect(html, `${href} says it is not open`).not.toContain('not open on this site');
    }
    // The sample data's services are samples: they arrange no session, so no next
    // step leads to them (the header still offers booking, to try it).
    expect(links).not.toContain('/en/booking');
    await expect(page.locator('nav.sections a[href="/en/booking"]')).toBeVisible();
    // The severe band names the help line and a trusted adult before 120/110.
    const meaning = await page.locator('.score-meaning').innerText();
    expect(meaning.indexOf('12356')).toBeLessThan(meaning.indexOf('120'));
    expect(meaning).toContain('trusted adult');
  });

  test('back and change-an-answer work, from the keyboard too', async ({ page }) => {
    await page.goto('/en/self-check/gad7');
    await waitForIsland(page);
    await expect(page.getByText('Question 1 of 7')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();
    await page.getByRole('radio', { name: 'Nearly every day' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByText('Question 2 of 7')).toBeVisible();
    await page.getByRole('button', { name: 'Back' }).click();
    await expect(page.getByRole('radio', { name: 'Nearly every day' })).toBeChecked();
    // Keyboard: arrow keys move between the options of a radio group. (Retried as a
    // whole: on a loaded machine the island may still be redrawing the question it
    // went back to, and a focus given before that is lost with the old element.)
    await expect(async () => {
      await page.getByRole('radio', { name: 'Nearly every day' }).focus();
      await page.keyboard.press('ArrowUp');
      await expect(page.getByRole('radio', { name: 'More than half the days' })).toBeChecked({ timeout: 1000 });
    }).toPass();
    await expectNoAxeViolations(page);
    await expectFitsWidth(page);
  });

  test('an answer chosen before the WebAssembly arrives stays chosen, with the focus on it', async ({ page }) => {
    // A slow network: the server's first question is on the screen, its code not yet.
    let release;
    const arrived = new Promise((resolve) => (release = resolve));
    await page.route('**/*.wasm', async (route) => {
      await arrived;
      await route.continue();
    });
    await page.goto('/en/self-check/gad7');
    const option = page.getByRole('radio', { name: 'Nearly every day' });
    await option.check();
    await expect(option).toBeFocused();
    release();
    await waitForIsland(page);
    // The questionnaire built in place of that copy has the answer, and the focus.
    await expect(option).toBeChecked();
    await expect(option).toBeFocused();
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByText('Question 2 of 7')).toBeVisible();
    await page.getByRole('button', { name: 'Back' }).click();
    await expect(option).toBeChecked();
  });

  test('the list of questionnaires and an answered result pass axe', async ({ page }) => {
    await page.goto('/zh/self-check');
    for (const name of ['PHQ-9 抑郁症状自评', 'GAD-7 焦虑症状自评', 'WHO-5 幸福感自评']) {
      await expect(page.getByRole('link', { name: new RegExp(name) })).toBeVisible();
    }
    await expectNoAxeViolations(page);
    await page.goto('/en/self-check/who5');
    await waitForIsland(page);
    await answerAll(page, (i, n) => n - 1);
    await expect(page.locator('.score-value')).toHaveText(['100 / 100 (higher means better wellbeing)']);
    await expectNoAxeViolations(page);
    // The FHIR response is built on the phone, as a data: URL.
    const href = await page.locator('a[download="who5-response.fhir.json"]').getAttribute('href');
    expect(href.startsWith('data:application/fhir+json;charset=utf-8,')).toBe(true);
    const response = JSON.parse(decodeURIComponent(href.slice(href.indexOf(',') + 1)));
    expect(response.resourceType).toBe('QuestionnaireResponse');
    expect(response.item.slice(0, 5).map((i) => i.answer[0].valueCoding.code)).toEqual(['5', '5', '5', '5', '5']);
    expect(response.item[5].answer[0].valueDecimal).toBe(100);
    // The browser writes the same documents as the native engine (the browser's JSON
    // writer is not serde_json's).
    const nativeFhir = JSON.parse(execFileSync('../target/release/anxin', ['instruments', 'fhir', 'who5', '--answers', '5,5,5,5,5', '--lang', 'en', '--data-dir', emptyDataDir]).toString());
    expect(response).toEqual(nativeFhir.response);
    // The definition, the same for everyone and holding no answers, is the server's.
    const questionnaireHref = await page.locator('a[download="who5-questionnaire.fhir.json"]').getAttribute('href');
    expect(questionnaireHref).toBe('/api/v1/instruments/who5/fhir-questionnaire?lang=en');
    const served = await page.request.get(questionnaireHref);
    expect(served.headers()['content-type']).toBe('application/fhir+json');
    expect(await served.json()).toEqual(nativeFhir.questionnaire);
    // The QR code is made only on request, on the phone, from the lines shown beside it.
    await expect(page.locator('.qr-code svg')).toHaveCount(0);
    await page.getByRole('button', { name: 'Make a QR code to show a counsellor' }).click();
    await expect(page.locator('.qr-code svg')).toBeVisible();
    await expect(page.locator('.qr-text')).toHaveText(/^WHO-5 \d{4}-\d{2}-\d{2}\nWellbeing index: 100\/100 Wellbeing: good$/);
    await expectNoAxeViolations(page);
  });

  test('after one visit, the self-check and the help panel work offline', async ({ page, context }) => {
    await page.goto('/zh/self-check');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.waitForFunction(async () => {
      const names = await caches.keys();
      return names.length === 1 && (await (await caches.open(names[0])).keys()).length > 10;
    });
    await context.setOffline(true);
    // A questionnaire this phone has never opened, in the other language too.
    await page.goto('/en/self-check/gad7');
    await waitForIsland(page);
    await answerAll(page, () => 0);
    await expect(page.locator('.score-value')).toHaveText(['0 / 21 (higher means more distress)']);
    await page.getByText('Need help now?', { exact: true }).click();
    await expect(page.getByRole('region', { name: 'Help lines' }).locator('a[href="tel:12356"]')).toBeVisible();
    // A page that was never cached falls back to the help page.
    await page.goto('/zh/courses');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('求助热线');
    await context.setOffline(false);
  });

  test('keeping a result on the device is opt-in, says who else can see it, keeps no answers, and one tap deletes it', async ({ page }) => {
    await page.goto('/en/self-check/phq4');
    await waitForIsland(page);
    await expect(page.getByRole('heading', { name: 'Results kept on this device' })).toHaveCount(0);
    await answerAll(page, (i) => (i === 0 ? 3 : 0));
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await expect(page.locator('.keep-note').first()).toContainText('anyone else who uses this device');
    await page.getByRole('button', { name: 'Keep this result on this device' }).click();
    await expect(page.getByRole('status')).toHaveText('Kept on this device.');
    const kept = JSON.parse(await page.evaluate(() => localStorage.getItem('anxin.kept-results')));
    expect(kept).toHaveLength(1);
    expect(kept[0].instrument).toBe('phq4');
    expect(Object.keys(kept[0]).sort()).toEqual(['date', 'instrument', 'scores']);
    expect(kept[0].scores.map((s) => s[1])).toEqual(['3 / 12', '3 / 6', '0 / 6']);

    await page.reload();
    await waitForIsland(page);
    const section = page.getByRole('region', { name: 'Results kept on this device' });
    await expect(section.getByRole('listitem')).toHaveCount(1);
    await expectNoAxeViolations(page);
    await section.getByRole('button', { name: 'Delete all kept results' }).click();
    await expect(page.getByRole('status')).toHaveText('All kept results are deleted.');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });
});
