// A sortable table with an Export CSV button. Columns:
// {key, label, value?: row => raw value (sorting, CSV), format?: raw => text,
//  num?: true (right-aligned, numeric sort), cell?: row => Node}.
import { t } from '../i18n.js';
import { el } from './dom.js';
import { toCsv, download } from './csv.js';

function raw(col, row) {
  return col.value ? col.value(row) : row[col.key];
}

function compare(a, b) {
  if (a == null && b == null) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * A table element: `table({caption, columns, rows, filename, id})`.
 * Headers are buttons (sort ascending, then descending; aria-sort says which).
 */
export function table({ caption, columns, rows, filename = 'table.csv', id, rowClass }) {
  let sortBy = null;
  let desc = false;
  const tbody = el('tbody');
  const heads = columns.map((col, i) => {
    const btn = el('button', {
      type: 'button',
      class: 'sort',
      text: col.label,
      'aria-label': t('table.sort', { column: col.label }),
      onclick: () => {
        desc = sortBy === i ? !desc : false;
        sortBy = i;
        draw();
      },
    });
    return el('th', { scope: 'col', class: col.num ? 'num' : null }, btn);
  });
  function ordered() {
    if (sortBy == null) return rows;
    const col = columns[sortBy];
    const out = rows.slice().sort((a, b) => compare(raw(col, a), raw(col, b)));
    return desc ? out.reverse() : out;
  }
  function draw() {
    heads.forEach((th, i) => {
      if (i === sortBy) th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    });
    tbody.replaceChildren(...ordered().map((row) => el('tr', { class: rowClass ? rowClass(row) : null },
      columns.map((col) => {
        const v = raw(col, row);
        const content = col.cell ? col.cell(row) : (col.format ? col.format(v, row) : (v ?? ''));
        return el('td', { class: col.num ? 'num' : null }, content);
      }))));
    if (!rows.length) {
      tbody.append(el('tr', {}, el('td', { colspan: columns.length, text: t('table.empty') })));
    }
  }
  draw();
  const exportBtn = el('button', {
    type: 'button',
    class: 'export',
    text: t('table.export'),
    onclick: () => {
      const header = columns.map((c) => c.label);
      const body = ordered().map((row) => columns.map((c) => {
        const v = raw(c, row);
        return c.csv ? c.csv(v, row) : v;
      }));
      download(filename, toCsv(header, body));
    },
  });
  return el('div', { class: 'table-wrap', id },
    el('div', { class: 'table-tools' }, el('span', { class: 'count', text: t('table.rows', { n: rows.length }) }), exportBtn),
    el('table', {}, caption ? el('caption', { text: caption }) : null, el('thead', {}, el('tr', {}, heads)), tbody));
}
