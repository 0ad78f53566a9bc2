// Strings of the interface in English and Russian. Each page adds its own
// with addStrings, so no page edits another's dictionary.
const STRINGS = { en: {}, ru: {} };
const LANGS = ['en', 'ru'];
const listeners = [];

function stored() {
  try {
    const l = localStorage.getItem('accord.lang');
    return LANGS.includes(l) ? l : null;
  } catch {
    return null;
  }
}

let lang = stored() || 'en';

/** The current language: 'en' or 'ru'. */
export function getLang() {
  return lang;
}

/** The text of `key` in the current language (English when missing, the key
 * itself when missing in both), with `{name}` replaced from `vars`. */
export function t(key, vars) {
  let s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  }
  return s;
}

/** Adds strings for one language: `{key: text}`. */
export function addStrings(l, dict) {
  if (!LANGS.includes(l)) throw new Error(`unknown language ${l}`);
  Object.assign(STRINGS[l], dict);
}

/** Switches the language, remembers it, and tells the listeners. */
export function setLang(l) {
  if (!LANGS.includes(l)) throw new Error(`unknown language ${l}: use ${LANGS.join(' or ')}`);
  lang = l;
  try {
    localStorage.setItem('accord.lang', l);
  } catch {
    // Private browsing may refuse storage; the choice then lasts this page only.
  }
  document.documentElement.lang = l;
  for (const f of listeners) f(l);
}

/** Calls `f(lang)` after every language switch. */
export function onLangChange(f) {
  listeners.push(f);
}

/** A name from the record (`{en, ru, zh}`) in the current language. */
export function localName(name) {
  if (name == null) return '';
  if (typeof name === 'string') return name;
  return name[lang] ?? name.en ?? Object.values(name)[0] ?? '';
}

addStrings('en', {
  'app.skip': 'Skip to content',
  'app.token': 'Token',
  'app.token.help': 'Needed to save and run; create one with: accord token create NAME --db FILE',
  'app.lang': 'Language',
  'app.notfound': 'No page {page}. Choose a page above.',
  'app.loading': 'Loading…',
  'app.dismiss': 'Dismiss',
  'api.error': 'Error {status}: {error}',
  'api.field': 'field {field}',
  'api.network': 'The server did not answer: {error}',
  'table.export': 'Export CSV',
  'table.sort': 'Sort by {column}',
  'table.empty': 'Nothing to show.',
  'table.rows': '{n} rows',
  'chart.none': 'No data to draw.',
});
addStrings('ru', {
  'app.skip': 'Перейти к содержанию',
  'app.token': 'Токен',
  'app.token.help': 'Нужен для сохранения и запуска; создайте его командой: accord token create ИМЯ --db ФАЙЛ',
  'app.lang': 'Язык',
  'app.notfound': 'Нет страницы {page}. Выберите страницу выше.',
  'app.loading': 'Загрузка…',
  'app.dismiss': 'Закрыть',
  'api.error': 'Ошибка {status}: {error}',
  'api.field': 'поле {field}',
  'api.network': 'Сервер не ответил: {error}',
  'table.export': 'Экспорт CSV',
  'table.sort': 'Сортировать по столбцу «{column}»',
  'table.empty': 'Нет данных.',
  'table.rows': 'строк: {n}',
  'chart.none': 'Нет данных для графика.',
});
