// The Influence page: an influence run of the baseline, drawn by sphere with
// exact numbers in tooltips, and the shares and voting power as tables.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, URL, rows } from './browser.mjs';

let b;
before(async () => {
  b = await open();
});
after(async () => {
  if (b) await b.context.close();
});

test('open influence, compute it and read it by sphere', async () => {
  const { page } = b;
  await page.goto(`${URL}/#/influence`);
  await page.waitForSelector('#inf-run');
  await page.click('#inf-run');
  await page.waitForSelector('#inf-table tbody tr', { timeout: 300000 });
  const spheres = await page.$$eval('#inf-sphere option', (os) => os.map((o) => o.value));
  assert.ok(spheres.length > 0);
  const titles = await page.$$eval('#inf-chart svg g.series title', (ts) => ts.map((x) => x.textContent));
  assert.ok(titles.length > 0);
  assert.match(titles[0], / of [\d.]+ points of displacement/);
  // Every sphere's shares sum to 100 %.
  const r = await rows(page, '#inf-table');
  const sums = new Map();
  for (const [sphere, , , share] of r) sums.set(sphere, (sums.get(sphere) || 0) + parseFloat(share));
  for (const [sphere, s] of sums) assert.ok(Math.abs(s - 100) < 0.5, `${sphere}: ${s}`);
  assert.ok((await rows(page, '#inf-power')).length > 0);
  if (spheres.length > 1) {
    await page.selectOption('#inf-sphere', spheres[1]);
    await page.waitForSelector('#inf-chart svg');
  }
  b.noProblems();
});
