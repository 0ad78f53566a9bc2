// The JSON API: fetch with the bearer token from the header's token field
// (kept in localStorage), and errors turned into a message a person can act on.
import { t } from '../i18n.js';
import { el, clear } from './dom.js';

const TOKEN_KEY = 'accord.token';

/** The token typed into the header (or '' when none). */
export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

/** Keeps the token for the next visits (an empty one removes it). */
export function setToken(tok) {
  try {
    if (tok) localStorage.setItem(TOKEN_KEY, tok.trim());
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage refused: the token then lasts while the field holds it.
  }
}

/** An error answer of the API: status, message, field and located problems. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.field = body ? body.field : undefined;
    this.problems = (body && body.problems) || [];
  }
}

/** Calls the API: `api('/api/runs', {method: 'POST', body: {...}})` → parsed JSON. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  const tok = getToken();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { error: t('api.network', { error: e.message }) });
  }
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: text.slice(0, 300) };
  }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/** The text of an error, with its field and every located problem. */
export function describe(err) {
  if (!(err instanceof ApiError)) return [String(err && err.message ? err.message : err)];
  const lines = [t('api.error', { status: err.status, error: err.message })];
  if (err.field && !err.problems.length) lines.push(t('api.field', { field: err.field }));
  for (const p of err.problems) {
    const where = [p.field, p.line != null ? `${p.line}:${p.column ?? ''}` : null].filter(Boolean).join(' ');
    lines.push(where ? `${where} — ${p.message}` : p.message);
  }
  return lines;
}

/** Shows an error in the page's message area (role=alert), with a dismiss button. */
export function showError(err) {
  const box = document.getElementById('messages');
  if (!box) return;
  const lines = describe(err);
  const item = el('div', { class: 'error' },
    el('ul', {}, lines.map((l) => el('li', { text: l }))),
    el('button', { type: 'button', onclick: () => item.remove(), text: t('app.dismiss') }));
  box.append(item);
}

/** Clears the message area (on a page change). */
export function clearErrors() {
  const box = document.getElementById('messages');
  if (box) clear(box);
}
