// The shell: a hash router over the pages, the nav, the language switch and
// the token field. A page is an ES module exporting
// `{ id, titleKey, render(root, ctx) }`; every page is registered in PAGES.
import { t, setLang, getLang, onLangChange } from './i18n.js';
import { el, clear } from './lib/dom.js';
import { getToken, setToken, clearErrors, showError } from './lib/api.js';
import organization from './pages/organization.js';
import issues from './pages/issues.js';
import workbench from './pages/workbench.js';

/** Every page, in the order of the nav. */
const PAGES = [organization, issues, workbench];

const nav = document.getElementById('nav');
const main = document.getElementById('main');

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [id, ...rest] = hash.split('/');
  return { id: id || PAGES[0].id, params: rest.map(decodeURIComponent) };
}

function drawNav(current) {
  clear(nav).append(el('ul', {}, PAGES.map((p) => el('li', {},
    el('a', { href: `#/${p.id}`, 'aria-current': p.id === current ? 'page' : null, text: t(p.titleKey) })))));
}

function drawChrome() {
  document.getElementById('skip-link').textContent = t('app.skip');
  document.getElementById('token-label').textContent = t('app.token');
  document.getElementById('token').title = t('app.token.help');
  document.getElementById('lang-label').textContent = t('app.lang');
  for (const b of document.querySelectorAll('[data-lang]')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === getLang()));
  }
}

let renderId = 0;
async function show() {
  const { id, params } = route();
  const page = PAGES.find((p) => p.id === id);
  drawNav(page ? page.id : null);
  drawChrome();
  clearErrors();
  clear(main);
  const mine = ++renderId;
  if (!page) {
    main.append(el('p', { text: t('app.notfound', { page: id }) }));
    return;
  }
  document.title = `${t(page.titleKey)} — Accord`;
  const root = el('div', { class: `page page-${page.id}` });
  main.append(root);
  try {
    await page.render(root, { params, isCurrent: () => mine === renderId, navigate: (h) => { location.hash = h; } });
  } catch (e) {
    if (mine === renderId) showError(e);
  }
}

const tokenField = document.getElementById('token');
tokenField.value = getToken();
tokenField.addEventListener('input', () => setToken(tokenField.value));
for (const b of document.querySelectorAll('[data-lang]')) {
  b.addEventListener('click', () => setLang(b.dataset.lang));
}
onLangChange(() => show());
document.documentElement.lang = getLang();
window.addEventListener('hashchange', () => {
  show();
  main.focus();
});
show();
