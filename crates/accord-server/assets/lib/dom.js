// Building elements without parsing markup: every piece of text goes in through
// textContent (or a text node), so data can never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(node, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.setAttribute('class', v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node && !(node instanceof SVGElement) && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of [children].flat(Infinity)) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** An HTML element: `el('button', {type: 'button', onclick: f}, 'Run')`. */
export function el(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, with a `<title>` child when `title` is given (the tooltip). */
export function svg(tag, attrs, ...children) {
  const { title, ...rest } = attrs || {};
  const node = fill(document.createElementNS(SVG_NS, tag), rest, children);
  if (title != null) {
    const tt = document.createElementNS(SVG_NS, 'title');
    tt.textContent = String(title);
    node.prepend(tt);
  }
  return node;
}

/** Removes every child of `node`. */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/** A number with `digits` decimals, or '—' for null. */
export function num(x, digits = 1) {
  if (x == null || Number.isNaN(x)) return '—';
  return Number(x).toFixed(digits);
}

/** A probability as a percentage. */
export function pct(p, digits = 0) {
  if (p == null || Number.isNaN(p)) return '—';
  return `${(100 * p).toFixed(digits)} %`;
}

/** A labelled control: `<label>` + the control, with a shared id. */
let uid = 0;
export function labelled(text, control, hint) {
  if (!control.id) control.id = `f${++uid}`;
  const parts = [el('label', { for: control.id, text }), control];
  if (hint) {
    const h = el('small', { class: 'hint', id: `${control.id}-hint`, text: hint });
    control.setAttribute('aria-describedby', h.id);
    parts.push(h);
  }
  return el('div', { class: 'field' }, parts);
}
