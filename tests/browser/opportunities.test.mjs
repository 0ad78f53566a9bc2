// The Opportunities page: the focal actors come from the API; a search for
// Russia runs with a progress bar and lists singles, pairs and triples.
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

test('run opportunities for RUS and see rows', async () => {
  const { page } = b;
  await page.goto(`${URL}/#/opportunities`);
  await page.waitForSelector('#opp-focal');
  const focal = await page.$$eval('#opp-focal option', (os) => os.map((o) => o.value));
  const api = await (await fetch(`${URL}/api/model/focal-actors`)).json();
  assert.deepEqual(focal, api.actors.map((a) => a.id));
  assert.equal(await page.inputValue('#opp-focal'), 'RUS');
  assert.match(await page.textContent('#opp-unit'), /ΔU is the change of the actor’s expected utility/);
  await page.fill('#opp-samples', '100');
  await page.click('#opp-run');
  await page.waitForSelector('#run-progress');
  await page.waitForSelector('#opp-singles tbody tr', { timeout: 300000 });
  const singles = await rows(page, '#opp-singles');
  const rusLevers = api.actors.find((a) => a.id === 'RUS').levers.length;
  assert.equal(singles.length, rusLevers);
  assert.match(singles[0][2], /^[+-]\d\.\d{4}$/);
  assert.ok((await rows(page, '#opp-pairs')).length > 0);
  assert.ok((await rows(page, '#opp-triples')).length > 0);
  assert.match(await page.textContent('#opp-meta'), /Search for RUS/);
  const titles = await page.$$eval('#opp-chart svg g.series title', (ts) => ts.map((x) => x.textContent));
  assert.equal(titles.length, rusLevers);
  assert.match(titles[0], /ΔU [+-]\d\.\d{4} \(95 % interval/);
  const csv = await exportCsv(page, '#opp-singles');
  assert.equal(csv.name, 'RUS-levers.csv');
  assert.equal(csv.text.trim().split(/\r\n/).length, rusLevers + 1);
  // Reloaded, the page shows the stored search.
  await page.reload();
  await page.waitForSelector('#opp-singles tbody tr');
  b.noProblems();
});
