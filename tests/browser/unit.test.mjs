// The interface's pure functions, in node without a browser: CSV quoting
// (a property test: any table survives a round trip through an RFC 4180
// reader) and how levers become stance changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCsv } from '../../crates/accord-server/assets/lib/csv.js';
import { leverChanges } from '../../crates/accord-server/assets/pages/workbench.js';

/** A plain RFC 4180 reader, written for the test. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  assert.equal(cell, '');
  assert.equal(row.length, 0, 'the text ends with a line break');
  return rows;
}

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('any table of text and numbers survives CSV export', () => {
  const alphabet = ['a', 'Я', '上', ',', '"', '\n', '\r', ' ', '=', '-', '+', '@', '1', '\t', "'"];
  const r = rng(7);
  for (let round = 0; round < 500; round++) {
    const cols = 1 + Math.floor(r() * 4);
    const header = Array.from({ length: cols }, (_, i) => `c${i}`);
    const rows = Array.from({ length: Math.floor(r() * 5) }, () => Array.from({ length: cols }, () => {
      if (r() < 0.3) return Math.round((r() - 0.5) * 1e6) / 100;
      return Array.from({ length: Math.floor(r() * 6) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    }));
    const back = parseCsv(toCsv(header, rows));
    assert.deepEqual(back[0], header);
    rows.forEach((row, i) => row.forEach((v, j) => {
      const got = back[i + 1][j];
      if (typeof v === 'number') assert.equal(got, String(v));
      // Text a spreadsheet would run as a formula comes back with a leading apostrophe.
      else if (/^[=+\-@\t\r]/.test(v)) assert.equal(got, `'${v}`);
      else assert.equal(got, v);
    }));
  }
});

test('null, infinite and NaN cells export empty', () => {
  assert.equal(toCsv(['a', 'b', 'c'], [[null, Infinity, NaN]]), 'a,b,c\r\n,,\r\n');
});

const MODEL = {
  issues: [{ id: 'fund', sphere: 'economy' }, { id: 'bank', sphere: 'economy' }, { id: 'bases', sphere: 'security' }],
  stances: [
    { actor: 'RUS', issue: 'fund' }, { actor: 'CHN', issue: 'fund' }, { actor: 'CHN', issue: 'bank' },
    { actor: 'RUS', issue: 'bases' },
  ],
  levers: [
    { id: 'a', actor: 'RUS', name: 'A', effects: [
      { kind: 'position', actor: 'CHN', issue: 'fund', shift: 10 },
      { kind: 'salience', actor: 'CHN', issue: 'fund', shift: -5 },
      { kind: 'capability', actor: 'RUS', sphere: 'economy', factor: 1.2 },
      { kind: 'position', actor: 'KAZ', issue: 'fund', shift: 10 },
    ] },
    { id: 'b', actor: 'RUS', name: 'B', effects: [
      { kind: 'position', actor: 'CHN', issue: 'fund', shift: 5 },
      { kind: 'capability', actor: 'RUS', issue: 'fund', factor: 1.5 },
    ] },
  ],
};

test('levers add shifts, multiply factors, reach a sphere and skip stances the model lacks', () => {
  const none = leverChanges(MODEL, new Set());
  assert.equal(none.size, 0);
  const both = leverChanges(MODEL, new Set(['a', 'b']));
  const chn = both.get('CHN|fund');
  assert.equal(chn.dp, 15);
  assert.equal(chn.ds, -5);
  assert.equal(chn.factor, 1);
  assert.deepEqual(chn.levers.map((l) => l.id), ['a', 'b']);
  // The sphere effect reaches RUS on every economy issue it has a stance on (fund), not bank (no stance) or bases (security).
  assert.ok(Math.abs(both.get('RUS|fund').factor - 1.8) < 1e-12);
  assert.equal(both.has('RUS|bases'), false);
  assert.equal(both.has('CHN|bank'), false);
  // KAZ holds no stance on fund: the lever does not invent one.
  assert.equal(both.has('KAZ|fund'), false);
  const a = leverChanges(MODEL, new Set(['a']));
  assert.equal(a.get('CHN|fund').dp, 10);
  assert.ok(Math.abs(a.get('RUS|fund').factor - 1.2) < 1e-12);
});
