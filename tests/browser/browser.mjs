// Shared set-up of the page specs beside ui.test.mjs: one headless Chromium
// per spec file, the token typed in, and the problems (script errors,
// console errors such as CSP violations, requests to other hosts) collected
// so that each test can require there were none. Started by run.sh, which
// gives ACCORD_URL, ACCORD_TOKEN and ACCORD_TMP.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const URL = process.env.ACCORD_URL;
export const TOKEN = process.env.ACCORD_TOKEN;
const TMP = process.env.ACCORD_TMP;
if (!URL || !TOKEN || !TMP) throw new Error('run these through tests/browser/run.sh');

/** Opens a browser; → {context, page, noProblems()}. */
export async function open() {
  const userDataDir = await mkdtemp(join(TMP, 'chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(URL) && !u.startsWith('blob:') && !u.startsWith('data:')) problems.push(`request to another host: ${u}`);
  });
  // The token lives in localStorage, as the header's field keeps it.
  await page.goto(`${URL}/`);
  await page.evaluate((tok) => localStorage.setItem('accord.token', tok), TOKEN);
  return {
    context,
    page,
    noProblems() {
      assert.deepEqual(problems.splice(0), [], 'no script errors, CSP violations or foreign requests');
    },
    /** Clears the problems, requiring each to match `re` (an error answer the test asked for). */
    only(re) {
      const rest = problems.splice(0).filter((p) => !re.test(p));
      assert.deepEqual(rest, [], 'no other problems');
    },
  };
}

/** The text cells of a table's body rows. */
export async function rows(page, selector) {
  return page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
}

/** Clicks a table's Export CSV button; → the downloaded file's text. */
export async function exportCsv(page, selector) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`${selector} button.export`),
  ]);
  const stream = await download.createReadStream();
  let text = '';
  for await (const chunk of stream) text += chunk;
  return { name: download.suggestedFilename(), text };
}
