// Accord's interface in real headless Chromium (Debian's chromium driven by
// playwright-core). Started by run.sh, which gives the server's address
// (ACCORD_URL), a token (ACCORD_TOKEN) and a temporary folder (ACCORD_TMP).
// The tests run in order and share one browser; the workbench test's runs
// are what the Issues test then finds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const URL = process.env.ACCORD_URL;
const TOKEN = process.env.ACCORD_TOKEN;
const TMP = process.env.ACCORD_TMP;
if (!URL || !TOKEN || !TMP) throw new Error('run these through tests/browser/run.sh');

let context;
let page;
const problems = [];

before(async () => {
  const userDataDir = await mkdtemp(join(TMP, 'chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] || (await context.newPage());
  // Any script error or console error (a CSP violation is one) fails the run.
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  // Nothing may be asked of another host.
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(URL) && !u.startsWith('blob:') && !u.startsWith('data:')) problems.push(`request to another host: ${u}`);
  });
});

after(async () => {
  if (context) await context.close();
});

function noProblems() {
  assert.deepEqual(problems.splice(0), [], 'no script errors, CSP violations or foreign requests');
}

async function statusRows() {
  return page.$$eval('#status-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
}

test('every page opens, with a nav, a skip link and both languages', async () => {
  await page.goto(`${URL}/#/organization`);
  await page.waitForSelector('#status-table tbody tr');
  await page.waitForSelector('#org-timeline svg.chart');
  await page.waitForSelector('#gap-table tbody tr');
  await page.waitForSelector('#bodies-table');
  // The first Tab reaches the skip link, and it leads to the content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
  // Every chart mark carries its exact numbers in a tooltip.
  const untitled = await page.$$eval('#org-timeline svg.chart rect.span', (rs) => rs.filter((r) => !r.querySelector('title')).length);
  assert.equal(untitled, 0);

  await page.goto(`${URL}/#/issues`);
  await page.waitForSelector('#stances-table tbody tr');
  await page.waitForSelector('#issue-positions svg.chart');
  const sq = await page.textContent('#issue-desc');
  assert.match(sq, /Status quo/);
  assert.match(sq, /Threshold/);

  await page.goto(`${URL}/#/workbench`);
  await page.waitForSelector('#wb-levers input[type=checkbox]');
  await page.waitForSelector('#wb-edits input[type=range]');

  // Russian, remembered across a reload.
  await page.click('#lang-ru');
  await page.waitForFunction(() => document.querySelector('nav a').textContent === 'Организация');
  await page.reload();
  await page.waitForSelector('#wb-levers input[type=checkbox]');
  assert.equal(await page.textContent('nav a'), 'Организация');
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  await page.click('#lang-en');
  await page.waitForFunction(() => document.querySelector('nav a').textContent === 'Organization');

  await page.goto(`${URL}/#/nothing`);
  await page.waitForFunction(() => document.querySelector('main').textContent.includes('No page'));
  noProblems();
});

test('moving the date slider changes the statuses', async () => {
  await page.goto(`${URL}/#/organization`);
  await page.waitForSelector('#status-table tbody tr');
  const today = await statusRows();
  const slider = page.locator('#org-date-slider');
  await slider.focus();
  await page.keyboard.press('Home');
  // The slider's first day is the first status the record holds: the founders only.
  await page.waitForFunction(() => document.querySelector('#org-statuses h2').textContent.includes('2001-'));
  await page.waitForFunction((n) => document.querySelectorAll('#status-table tbody tr').length !== n, today.length);
  const first = await statusRows();
  assert.ok(first.every((r) => r[2] === 'member'), `only members on the first day: ${JSON.stringify(first)}`);
  assert.ok(!first.some((r) => r[0] === 'IND'));
  assert.ok(today.some((r) => r[0] === 'IND'));
  // The date box moved with it, and Page Up moves a month.
  const day = await page.inputValue('#org-date');
  await page.keyboard.press('PageUp');
  await page.waitForFunction((d) => document.querySelector('#org-date').value !== d, day);
  // Typing a date moves the slider.
  await page.fill('#org-date', '2009-06-16');
  await page.dispatchEvent('#org-date', 'change');
  await page.waitForFunction(() => document.querySelector('#org-statuses h2').textContent.includes('2009-06-16'));
  const y2009 = await statusRows();
  assert.deepEqual(y2009.find((r) => r[0] === 'IND').slice(2, 3), ['observer']);
  assert.deepEqual(y2009.find((r) => r[0] === 'BLR').slice(2, 3), ['dialogue partner']);
  noProblems();
});

test('exporting a table gives its rows as CSV', async () => {
  await page.goto(`${URL}/#/organization/SCO/2009-06-16`);
  await page.waitForFunction(() => document.querySelector('#org-statuses h2')?.textContent.includes('2009-06-16'));
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#status-table button.export'),
  ]);
  assert.equal(download.suggestedFilename(), 'SCO-statuses-2009-06-16.csv');
  const text = await readFile(await download.path(), 'utf8');
  const lines = text.trim().split('\r\n');
  assert.equal(lines[0], 'Code,Name,Status,Since,Votes');
  // The data as the API gives them (status codes, true/false), whatever the language.
  assert.ok(lines.includes('CHN,China,member,2001-06-15,true'), text);
  assert.ok(lines.includes('BLR,Belarus,dialogue_partner,2009-06-16,false'), text);
  assert.equal(lines.length - 1, (await statusRows()).length);
  noProblems();
});

test('workbench: switch a lever, run, see the progress and the chart, save, reload and find it', async () => {
  await page.goto(`${URL}/#/workbench`);
  await page.fill('#token', TOKEN);
  await page.reload();
  await page.waitForSelector('#wb-levers input[type=checkbox]');
  assert.equal(await page.isEnabled('#wb-run'), true);
  const lever = page.locator('#wb-levers input[type=checkbox]').first();
  const leverId = (await lever.getAttribute('id')).replace(/^lever-/, '');
  await lever.check();
  await page.waitForFunction(() => /[1-9]/.test(document.querySelector('#wb-summary').textContent));
  // A slider moved by keyboard is an edit too.
  const pos = page.locator('#wb-edits input[type=range]').first();
  await pos.focus();
  await page.keyboard.press('ArrowRight');
  await page.fill('#wb-name', 'Browser test scenario');
  await page.fill('#wb-samples', '200');
  await page.click('#wb-run');
  await page.waitForSelector('#run-progress');
  await page.waitForSelector('#wb-chart svg.chart', { timeout: 120000 });
  assert.equal(await page.$eval('#run-progress', (p) => p.value), 1);
  const rows = await page.$$eval('#wb-table tbody tr', (trs) => trs.length);
  assert.ok(rows > 10, `one row per issue (${rows})`);
  // The slider moved Russia's position on the first issue: under consensus a
  // voting member's position set by the scenario makes the issue a given,
  // marked in the table and the chart.
  const given = await page.$$eval('#wb-table tr.given', (trs) => trs.map((tr) => tr.cells[0].textContent));
  assert.ok(given.some((g) => g.includes('India')), JSON.stringify(given));
  const labels = await page.$$eval('#wb-chart svg.chart text.faint', (ts) => ts.map((x) => x.textContent));
  assert.ok(labels.some((l) => l.includes('(given)')), JSON.stringify(labels));
  // Every mark of the comparison chart has a tooltip with its numbers.
  const marks = await page.$$eval('#wb-chart svg.chart .mark', (ms) => ms.map((m) => m.querySelector('title')?.textContent || ''));
  assert.ok(marks.length > 10 && marks.every((m) => /\d/.test(m)), JSON.stringify(marks.slice(0, 3)));

  await page.click('#wb-save');
  await page.waitForSelector('#wb-saved');
  assert.match(page.url(), /#\/workbench\/scenario\/\d+$/);
  await page.reload();
  await page.waitForSelector(`#lever-${leverId}`);
  assert.equal(await page.isChecked(`#lever-${leverId}`), true);
  assert.equal(await page.inputValue('#wb-name'), 'Browser test scenario');
  const options = await page.$$eval('#wb-start option', (os) => os.map((o) => o.textContent));
  assert.ok(options.some((o) => o.startsWith('Browser test scenario')), JSON.stringify(options));
  // Run again unchanged: the run is kept under the saved scenario's name and revision.
  await page.fill('#wb-samples', '200');
  await page.click('#wb-run');
  await page.waitForFunction(() => [...document.querySelectorAll('#wb-runs-table tbody tr')]
    .some((tr) => tr.textContent.includes('Browser test scenario r1') && tr.textContent.includes('done')), null, { timeout: 120000 });
  // The saved runs list has both runs (this one and the baseline beside it), and two can be compared.
  await page.waitForSelector('#wb-runs-table tbody tr');
  await page.click('#wb-compare-go');
  await page.waitForSelector('#wb-compare-out svg.chart');
  noProblems();
});

test('issues: the baseline forecast shows every model and the headline', async () => {
  await page.goto(`${URL}/#/issues/admit-iran`);
  await page.waitForSelector('#headline-table tbody tr');
  const text = await page.textContent('#issue-forecast');
  assert.match(text, /Calibrated headline: P\(outcome ≥ 50\) = \d/);
  const models = await page.$$eval('#models-admit-iran tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
  assert.ok(models.includes('compromise') && models.includes('calibrated headline'), JSON.stringify(models));
  noProblems();
});
