// The New questions page: add an issue with its stances and save it as a
// scenario (validated by the server); import an experts' sheet and see the
// ranges their disagreement makes; a bad sheet shows located errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, URL, rows, exportCsv } from './browser.mjs';

let b;
before(async () => {
  b = await open();
});
after(async () => {
  if (b) await b.context.close();
});

test('add an issue with stances, save it and forecast it', async () => {
  const { page } = b;
  await page.goto(`${URL}/#/questions`);
  await page.waitForSelector('#q-id');
  await page.fill('#q-id', 'water-sharing');
  await page.fill('#q-name', 'A water-sharing mechanism');
  await page.fill('#q-question', 'Will the members adopt a binding water-sharing mechanism?');
  await page.selectOption('#q-sphere', 'economy');
  await page.fill('#q-sq', '10');
  await page.fill('#q-threshold', '50');
  await page.fill('#q-basis', 'Browser test.');
  const means = await page.$$('#q-scale .q-means');
  for (const [i, m] of means.entries()) await m.fill(['No mechanism', 'A consultative body', 'A binding mechanism'][i]);
  for (const [actor, pos, sal] of [['KAZ', '80', '70'], ['RUS', '30', '30'], ['CHN', '20', '40']]) {
    await page.click('#q-add-stance');
    const row = page.locator('#q-stance-rows tr').last();
    await row.locator('.q-actor').selectOption(actor);
    await row.locator('.q-pos').fill(pos);
    await row.locator('.q-sal').fill(sal);
  }
  await page.fill('#q-sname', 'Water sharing (browser test)');
  assert.equal(await page.inputValue('#q-sid'), 'water-sharing-browser-test');
  const preview = JSON.parse(await page.textContent('#q-preview'));
  assert.equal(preview.new_issue[0].scale.length, 3);
  assert.equal(preview.stance.length, 3);
  await page.click('#q-save');
  await page.waitForSelector('#q-saved .notice');
  assert.match(await page.textContent('#q-saved'), /Water sharing \(browser test\)/);
  // The scenario is stored as sent and forecasts the new issue.
  await page.fill('#q-samples', '200');
  await page.click('#q-run');
  await page.waitForSelector('#q-forecast-table tbody tr', { timeout: 120000 });
  const text = await page.textContent('#q-forecast-table');
  assert.match(text, /water-sharing|water-sharing mechanism/i);
  b.noProblems();
});

test('an invalid issue is refused with the field at fault', async () => {
  const { page } = b;
  await page.goto(`${URL}/#/questions`);
  await page.reload();
  await page.waitForSelector('#q-id');
  await page.fill('#q-id', 'no-stances');
  await page.fill('#q-name', 'x');
  await page.fill('#q-question', 'x?');
  await page.fill('#q-basis', 'x');
  await page.fill('#q-threshold', '150');
  await page.fill('#q-sname', 'Invalid (browser test)');
  await page.click('#q-save');
  await page.waitForSelector('#messages .error');
  const msg = await page.textContent('#messages .error');
  assert.match(msg, /new_issue\[0\]\.threshold/);
  await page.click('#messages .error button');
  b.only(/status of 422/);
});

test('import an experts’ sheet and see the ranges', async () => {
  const { page } = b;
  await page.goto(`${URL}/#/questions`);
  await page.reload();
  await page.waitForSelector('#experts-csv');
  await page.fill('#experts-csv', [
    'expert,actor,issue,position,salience,note',
    'A,RUS,admit-iran,20,40,cautious',
    'B,RUS,admit-iran,40,60,',
    'C,RUS,admit-iran,30,50,',
    'A,CHN,admit-iran,10,30,',
  ].join('\n'));
  await page.click('#experts-import');
  await page.waitForSelector('#experts-table tbody tr');
  assert.match(await page.textContent('#experts-summary'), /4 answers from 3 experts → 2 stances/);
  const r = await rows(page, '#experts-table');
  const rus = r.find((cells) => cells[0] === 'RUS');
  assert.deepEqual(rus.slice(2, 8), ['30.0', '20.0', '40.0', '50.0', '40.0', '60.0']);
  assert.match(rus[9], /A \(position 20, salience 40: cautious\)/);
  // The chart draws a range per stance, with the exact numbers in a tooltip.
  const titles = await page.$$eval('#experts-chart svg g.series title', (ts) => ts.map((x) => x.textContent));
  assert.equal(titles.length, 2);
  assert.match(titles[0], /median 30\.0, range 20\.0–40\.0/);
  const csv = await exportCsv(page, '#experts-table');
  assert.equal(csv.name, 'experts-stances.csv');
  assert.match(csv.text, /^Actor,Issue,Position/);
  // Into the scenario to save.
  const preview = JSON.parse(await page.textContent('#q-preview'));
  assert.equal(preview.stance.length, 2);
  b.noProblems();
  // A bad sheet: the line and column of the problem.
  await page.fill('#experts-csv', 'expert,actor,issue,position,salience\nA,RUZ,admit-iran,20,40\n');
  await page.click('#experts-import');
  await page.waitForSelector('#messages .error');
  assert.match(await page.textContent('#messages .error'), /2:3 — unknown actor `RUZ`/);
  b.only(/status of 422/);
});
