// SVG charts drawn by hand: labelled axes, a <title> tooltip with the exact
// numbers on every mark, and shapes or fill patterns as well as colour, so
// nothing depends on colour alone. Text goes in through textContent only.
import { t } from '../i18n.js';
import { el, svg } from './dom.js';

const W = 760;
const LEFT = 220;
const RIGHT = 24;
const ROW = 24;
const TOP = 28;
const AXIS = 44;

/** The marker shapes, in the order groups get them. */
export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross'];

/** A marker of `shape` centred on (x, y). */
export function marker(shape, x, y, r, attrs) {
  const cls = `mark shape-${shape} ${attrs.class || ''}`.trim();
  const a = { ...attrs, class: cls };
  switch (shape) {
    case 'square':
      return svg('rect', { ...a, x: x - r, y: y - r, width: 2 * r, height: 2 * r });
    case 'triangle':
      return svg('polygon', { ...a, points: `${x},${y - r * 1.2} ${x + r * 1.1},${y + r * 0.9} ${x - r * 1.1},${y + r * 0.9}` });
    case 'diamond':
      return svg('polygon', { ...a, points: `${x},${y - r * 1.3} ${x + r * 1.3},${y} ${x},${y + r * 1.3} ${x - r * 1.3},${y}` });
    case 'cross':
      return svg('path', { ...a, d: `M${x - r},${y - r}L${x + r},${y + r}M${x - r},${y + r}L${x + r},${y - r}` });
    default:
      return svg('circle', { ...a, cx: x, cy: y, r });
  }
}

function scale([d0, d1], [r0, r1]) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  return (v) => r0 + (v - d0) * k;
}

function ticks([d0, d1], n = 5) {
  const step = (d1 - d0) / n;
  return Array.from({ length: n + 1 }, (_, i) => d0 + i * step);
}

function frame(height, label) {
  return svg('svg', {
    viewBox: `0 0 ${W} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-label': label,
    width: '100%',
    preserveAspectRatio: 'xMinYMin meet',
  });
}

function xAxis(root, x, domain, y0, y1, label, fmt = (v) => String(Math.round(v))) {
  const g = svg('g', { class: 'axis' });
  for (const v of ticks(domain)) {
    g.append(svg('line', { x1: x(v), x2: x(v), y1: y0, y2: y1, class: 'grid' }));
    g.append(svg('text', { x: x(v), y: y1 + 14, 'text-anchor': 'middle', text: fmt(v) }));
  }
  g.append(svg('line', { x1: x(domain[0]), x2: x(domain[1]), y1, y2: y1, class: 'baseline' }));
  g.append(svg('text', { x: (x(domain[0]) + x(domain[1])) / 2, y: y1 + 34, 'text-anchor': 'middle', class: 'axis-label', text: label }));
  root.append(g);
}

function rowLabels(root, rows, y, yLabel) {
  const g = svg('g', { class: 'axis' });
  rows.forEach((r, i) => {
    // Long names are shortened to fit; the tooltip keeps them whole.
    const short = r.label.length > 30 ? `${r.label.slice(0, 29)}…` : r.label;
    g.append(svg('text', { x: LEFT - 8, y: y(i) + 4, 'text-anchor': 'end', class: r.faint ? 'faint' : null, text: short, title: short === r.label ? null : r.label }));
  });
  if (yLabel) g.append(svg('text', { x: 4, y: 14, class: 'axis-label', text: yLabel }));
  root.append(g);
}

function refLines(root, refs, x, y0, y1) {
  (refs || []).forEach((r, i) => {
    const g = svg('g', { class: `ref ref-${r.kind || 'line'}`, title: r.title || `${r.label}: ${r.at}` });
    g.append(svg('line', { x1: x(r.at), x2: x(r.at), y1: y0 - 6, y2: y1 }));
    g.append(svg('text', { x: x(r.at) + 3, y: y0 - 8 - 11 * (i % 2), text: r.label }));
    root.append(g);
  });
}

/**
 * Points with ranges, one row each: rows [{label, value, lo, hi, shape,
 * title, faint}], on `domain` (default 0–100), with reference lines refs
 * [{at, label, kind: 'sq'|'threshold'|…}].
 */
export function rangeChart({ rows, domain = [0, 100], xLabel, yLabel, refs, label }) {
  if (!rows.length) return el('p', { text: t('chart.none') });
  const h = TOP + 12 + rows.length * ROW + AXIS;
  const root = frame(h, label || xLabel);
  const x = scale(domain, [LEFT, W - RIGHT]);
  const y = (i) => TOP + 12 + i * ROW + ROW / 2;
  const yEnd = TOP + 12 + rows.length * ROW;
  xAxis(root, x, domain, TOP, yEnd, xLabel);
  rowLabels(root, rows, y, yLabel);
  refLines(root, refs, x, TOP + 10, yEnd);
  rows.forEach((r, i) => {
    const g = svg('g', { class: `series${r.faint ? ' faint' : ''}`, title: r.title });
    if (r.lo != null && r.hi != null) {
      g.append(svg('line', { x1: x(r.lo), x2: x(r.hi), y1: y(i), y2: y(i), class: 'range' }));
      g.append(svg('line', { x1: x(r.lo), x2: x(r.lo), y1: y(i) - 5, y2: y(i) + 5, class: 'range' }));
      g.append(svg('line', { x1: x(r.hi), x2: x(r.hi), y1: y(i) - 5, y2: y(i) + 5, class: 'range' }));
    }
    g.append(marker(r.shape || 'circle', x(r.value), y(i), 5, { class: r.cls }));
    root.append(g);
  });
  return root;
}

/**
 * Box plots, one row each: rows [{label, q: [q05, q25, q50, q75, q95],
 * shape, title, faint, p}] on `domain`; whiskers 5–95 %, box 25–75 %, the
 * median a marker of the row's shape.
 */
export function boxChart({ rows, domain = [0, 100], xLabel, refs, label }) {
  if (!rows.length) return el('p', { text: t('chart.none') });
  const h = TOP + 12 + rows.length * ROW + AXIS;
  const root = frame(h, label || xLabel);
  const x = scale(domain, [LEFT, W - RIGHT]);
  const y = (i) => TOP + 12 + i * ROW + ROW / 2;
  const yEnd = TOP + 12 + rows.length * ROW;
  xAxis(root, x, domain, TOP, yEnd, xLabel);
  rowLabels(root, rows, y);
  refLines(root, refs, x, TOP + 10, yEnd);
  rows.forEach((r, i) => {
    const [a, b, m, c, d] = r.q;
    const g = svg('g', { class: `series box${r.faint ? ' faint' : ''} ${r.cls || ''}`, title: r.title });
    g.append(svg('line', { x1: x(a), x2: x(d), y1: y(i), y2: y(i), class: 'range' }));
    g.append(svg('rect', { x: x(b), y: y(i) - 7, width: Math.max(1, x(c) - x(b)), height: 14, class: `iqr pattern-${i % 6}` }));
    g.append(marker(r.shape || 'circle', x(m), y(i), 4.5, { class: 'median' }));
    root.append(g);
  });
  return root;
}

/**
 * Bars on a time axis: rows [{label, spans: [{from, to, kind, title}]}],
 * dates as Date; `kinds` [{kind, label}] give each kind its fill pattern and
 * a legend entry; `at` (a Date) draws the chosen day.
 */
export function timelineChart({ rows, start, end, kinds, at, xLabel, label }) {
  if (!rows.length) return el('p', { text: t('chart.none') });
  const h = TOP + 12 + rows.length * ROW + AXIS;
  const root = frame(h, label || xLabel);
  const domain = [start.getTime(), end.getTime()];
  const x = scale(domain, [LEFT, W - RIGHT]);
  const y = (i) => TOP + 12 + i * ROW + ROW / 2;
  const yEnd = TOP + 12 + rows.length * ROW;
  xAxis(root, x, domain, TOP, yEnd, xLabel, (v) => String(new Date(v).getUTCFullYear()));
  rowLabels(root, rows, y);
  const index = new Map(kinds.map((k, i) => [k.kind, i]));
  rows.forEach((r, i) => {
    for (const s of r.spans) {
      const x0 = x(Math.max(domain[0], s.from.getTime()));
      const x1 = x(Math.min(domain[1], (s.to || end).getTime()));
      const k = index.get(s.kind) ?? kinds.length;
      root.append(svg('rect', {
        x: x0, y: y(i) - 8, width: Math.max(1.5, x1 - x0), height: 16,
        class: `span kind-${k} pattern-${k}`, title: s.title,
      }));
    }
  });
  if (at) {
    root.append(svg('line', { x1: x(at.getTime()), x2: x(at.getTime()), y1: TOP, y2: yEnd, class: 'cursor' }));
  }
  return el('figure', { class: 'chart-figure' }, root, legend(kinds.map((k, i) => ({ label: k.label, cls: `kind-${i} pattern-${i}` }))));
}

/** A legend: entries [{label, shape, cls?, fill?} | {label, cls}] as swatches with text (`fill`: a pattern class behind the shape). */
export function legend(entries) {
  return el('ul', { class: 'legend' }, entries.map((e) => {
    const sw = svg('svg', { viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true' });
    if (e.shape && e.fill) {
      sw.append(svg('rect', { x: 1, y: 3, width: 14, height: 10, class: `span ${e.fill}` }));
      sw.append(marker(e.shape, 8, 8, 3.5, { class: 'median' }));
    } else if (e.shape) sw.append(marker(e.shape, 8, 8, 5, { class: e.cls }));
    else sw.append(svg('rect', { x: 1, y: 3, width: 14, height: 10, class: `span ${e.cls}` }));
    return el('li', {}, sw, ' ', e.label);
  }));
}

/**
 * Two values per row joined by a line: rows [{label, a, b, titleA, titleB,
 * faint}], A drawn as a circle, B as a square; `names` [A's, B's] for the
 * legend; `refs` as in rangeChart.
 */
export function dumbbellChart({ rows, names, domain = [0, 100], xLabel, label }) {
  if (!rows.length) return el('p', { text: t('chart.none') });
  const h = TOP + 12 + rows.length * ROW + AXIS;
  const root = frame(h, label || xLabel);
  const x = scale(domain, [LEFT, W - RIGHT]);
  const y = (i) => TOP + 12 + i * ROW + ROW / 2;
  const yEnd = TOP + 12 + rows.length * ROW;
  xAxis(root, x, domain, TOP, yEnd, xLabel);
  rowLabels(root, rows, y);
  rows.forEach((r, i) => {
    const g = svg('g', { class: `series${r.faint ? ' faint' : ''}` });
    if (r.a != null && r.b != null) g.append(svg('line', { x1: x(r.a), x2: x(r.b), y1: y(i), y2: y(i), class: 'range' }));
    if (r.a != null) g.append(marker('circle', x(r.a), y(i), 5, { class: 'outside', title: r.titleA }));
    if (r.b != null) g.append(marker('square', x(r.b), y(i), 5, { class: 'edited', title: r.titleB }));
    root.append(g);
  });
  return el('figure', { class: 'chart-figure' }, root,
    legend([{ label: names[0], shape: 'circle', cls: 'outside' }, { label: names[1], shape: 'square', cls: 'edited' }]));
}
