// New questions and expert input: add an issue (question, scale with labelled
// points, status quo, threshold) and its stances; import stances from a CSV
// several experts filled in and see the ranges their disagreement makes; save
// the lot as a scenario (validated by the server exactly like a file) and
// forecast it.
//
// What is saved is an ordinary scenario in its JSON form: the issue as a
// `[[new_issue]]`, its stances and the imported ones as `[[stance]]`s
// (docs/formats/scenario.md, docs/experts.md).
import { t, addStrings, localName } from '../i18n.js';
import { el, clear, num, labelled } from '../lib/dom.js';
import { api, getToken, showError, ApiError } from '../lib/api.js';
import { table } from '../lib/table.js';
import { rangeChart } from '../lib/chart.js';
import { startRun, followRun } from '../lib/runs.js';
import { forecastTable } from '../lib/forecast.js';

const SPHERES = ['security', 'economy', 'energy', 'humanitarian', 'enlargement', 'external_relations'];

addStrings('en', {
  'q.title': 'New questions',
  'q.heading': 'New questions and expert input',
  'q.intro': 'Add a question the model does not ask, give the actors’ stances on it, or bring in the stances several experts gave in a spreadsheet. Saved, it is a scenario like any other: the server checks it exactly as it checks a scenario file.',
  'q.needtoken': 'Enter a token (top right) to import, save and run.',
  'q.issue': 'A new issue',
  'q.issue.hint': 'Leave the id empty to save only imported stances on the model’s own issues.',
  'q.id': 'Issue id (lower-case letters, digits and -)',
  'q.name': 'Name',
  'q.question': 'Yes/no question the threshold answers',
  'q.sphere': 'Sphere',
  'q.sq': 'Status quo (0–100)',
  'q.threshold': 'Threshold (0–100): P is of an outcome at or above it',
  'q.basis': 'Basis: why the question is asked and the status quo placed there',
  'q.scale': 'Scale: what points mean (0, 50 and 100 at least)',
  'q.at': 'Point',
  'q.means': 'Meaning',
  'q.addpoint': 'Add a scale point',
  'q.remove': 'Remove',
  'q.stances': 'Stances on the new issue',
  'q.stances.hint': 'Actors with a stake: position on the scale above and salience (the share of its attention, 0–100). A range can come from the experts’ sheet below.',
  'q.actor': 'Actor',
  'q.position': 'Position',
  'q.salience': 'Salience',
  'q.stance.basis': 'Basis',
  'q.addstance': 'Add a stance',
  'q.experts': 'Stances from experts (CSV)',
  'q.experts.hint': 'One row per expert, actor and issue: expert,actor,issue,position,salience[,capability_factor][,note]. The range becomes the lowest to the highest answer, the point value their median; each expert is kept in the basis (docs/experts.md). Rows may name the new issue above.',
  'q.csv': 'The sheet (paste it, or choose a file)',
  'q.file': 'CSV file',
  'q.import': 'Import',
  'q.imported': '{answers} answers from {experts} experts → {n} stances',
  'q.chart': 'Positions from the experts: median and range (lowest to highest answer)',
  'q.axis': 'position on the issue’s scale (0–100)',
  'q.mark': '{actor} on {issue}: median {value}, range {low}–{high}; salience {salience} ({slow}–{shigh})',
  'q.col.actor': 'Actor',
  'q.col.issue': 'Issue',
  'q.col.position': 'Position',
  'q.col.plow': 'Position min.',
  'q.col.phigh': 'Position max.',
  'q.col.salience': 'Salience',
  'q.col.slow': 'Salience min.',
  'q.col.shigh': 'Salience max.',
  'q.col.capfactor': 'Capability ×',
  'q.col.basis': 'Basis',
  'q.save': 'Save as a scenario',
  'q.sname': 'Scenario name',
  'q.sid': 'Scenario id (lower-case letters, digits and -)',
  'q.sbasis': 'Why this scenario (saved with it)',
  'q.preview': 'The scenario as it will be saved (JSON)',
  'q.saveit': 'Save',
  'q.saved': 'Saved “{name}” as scenario {id}. It is listed in the Workbench.',
  'q.dup': '{n} stances typed above were replaced by the experts’ stances for the same actor and issue.',
  'q.forecast': 'Forecast it',
  'q.samples': 'Samples',
  'q.nothing': 'Nothing to save yet: add an issue with stances, or import an experts’ sheet.',
  'q.default.basis': 'stances typed in the browser',
  'sphere.security': 'security',
  'sphere.economy': 'economy',
  'sphere.energy': 'energy',
  'sphere.humanitarian': 'humanitarian',
  'sphere.enlargement': 'enlargement',
  'sphere.external_relations': 'external relations',
});
addStrings('ru', {
  'q.title': 'Новые вопросы',
  'q.heading': 'Новые вопросы и мнения экспертов',
  'q.intro': 'Добавьте вопрос, которого нет в модели, задайте позиции участников или загрузите позиции, которые несколько экспертов внесли в таблицу. Сохранённое — обычный сценарий: сервер проверяет его так же, как файл сценария.',
  'q.needtoken': 'Введите токен (вверху справа), чтобы загружать, сохранять и рассчитывать.',
  'q.issue': 'Новый вопрос',
  'q.issue.hint': 'Оставьте идентификатор пустым, чтобы сохранить только загруженные позиции по вопросам модели.',
  'q.id': 'Идентификатор вопроса (строчные латинские буквы, цифры и -)',
  'q.name': 'Название',
  'q.question': 'Вопрос «да/нет», на который отвечает порог',
  'q.sphere': 'Сфера',
  'q.sq': 'Статус-кво (0–100)',
  'q.threshold': 'Порог (0–100): P — вероятность исхода не ниже него',
  'q.basis': 'Обоснование: почему задан вопрос и где статус-кво',
  'q.scale': 'Шкала: что означают точки (не меньше 0, 50 и 100)',
  'q.at': 'Точка',
  'q.means': 'Значение',
  'q.addpoint': 'Добавить точку шкалы',
  'q.remove': 'Удалить',
  'q.stances': 'Позиции по новому вопросу',
  'q.stances.hint': 'Участники, которым вопрос важен: позиция на шкале выше и значимость (доля внимания, 0–100). Диапазон можно получить из таблицы экспертов ниже.',
  'q.actor': 'Участник',
  'q.position': 'Позиция',
  'q.salience': 'Значимость',
  'q.stance.basis': 'Обоснование',
  'q.addstance': 'Добавить позицию',
  'q.experts': 'Позиции экспертов (CSV)',
  'q.experts.hint': 'Одна строка на эксперта, участника и вопрос: expert,actor,issue,position,salience[,capability_factor][,note]. Диапазон — от наименьшего до наибольшего ответа, значение — их медиана; каждый эксперт сохраняется в обосновании (docs/experts.md). Строки могут ссылаться на новый вопрос выше.',
  'q.csv': 'Таблица (вставьте её или выберите файл)',
  'q.file': 'Файл CSV',
  'q.import': 'Загрузить',
  'q.imported': 'ответов: {answers}, экспертов: {experts} → позиций: {n}',
  'q.chart': 'Позиции по мнению экспертов: медиана и диапазон (от наименьшего до наибольшего ответа)',
  'q.axis': 'позиция на шкале вопроса (0–100)',
  'q.mark': '{actor}, {issue}: медиана {value}, диапазон {low}–{high}; значимость {salience} ({slow}–{shigh})',
  'q.col.actor': 'Участник',
  'q.col.issue': 'Вопрос',
  'q.col.position': 'Позиция',
  'q.col.plow': 'Позиция мин.',
  'q.col.phigh': 'Позиция макс.',
  'q.col.salience': 'Значимость',
  'q.col.slow': 'Значимость мин.',
  'q.col.shigh': 'Значимость макс.',
  'q.col.capfactor': 'Мощь ×',
  'q.col.basis': 'Обоснование',
  'q.save': 'Сохранить как сценарий',
  'q.sname': 'Название сценария',
  'q.sid': 'Идентификатор сценария (строчные латинские буквы, цифры и -)',
  'q.sbasis': 'Обоснование сценария (сохраняется с ним)',
  'q.preview': 'Сценарий в том виде, в каком он будет сохранён (JSON)',
  'q.saveit': 'Сохранить',
  'q.saved': 'Сохранено: «{name}», сценарий {id}. Он есть в списке на Верстаке.',
  'q.dup': 'Введённые выше позиции ({n}) заменены позициями экспертов для тех же участника и вопроса.',
  'q.forecast': 'Рассчитать прогноз',
  'q.samples': 'Выборок',
  'q.nothing': 'Сохранять пока нечего: добавьте вопрос с позициями или загрузите таблицу экспертов.',
  'q.default.basis': 'позиции введены в браузере',
  'sphere.security': 'безопасность',
  'sphere.economy': 'экономика',
  'sphere.energy': 'энергетика',
  'sphere.humanitarian': 'гуманитарная сфера',
  'sphere.enlargement': 'расширение',
  'sphere.external_relations': 'внешние связи',
});

/** POSTs CSV text (the API helper sends JSON only); → parsed JSON or ApiError. */
async function postCsv(path, text) {
  const headers = { Accept: 'application/json', 'Content-Type': 'text/csv; charset=utf-8' };
  const tok = getToken();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  let resp;
  try {
    resp = await fetch(path, { method: 'POST', headers, body: text });
  } catch (e) {
    throw new ApiError(0, { error: t('api.network', { error: e.message }) });
  }
  const body = await resp.text();
  let data = null;
  try {
    data = body ? JSON.parse(body) : null;
  } catch {
    data = { error: body.slice(0, 300) };
  }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

function numberInput(id, value, attrs = {}) {
  return el('input', { type: 'number', id, min: 0, max: 100, step: 'any', value, ...attrs });
}

function slug(s) {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
}

export default {
  id: 'questions',
  titleKey: 'q.title',
  async render(root, ctx) {
    const model = await api('/api/model');
    if (!ctx.isCurrent()) return;
    const names = new Map(model.actors.map((a) => [a.id, localName(a.name) || a.id]));
    // A stance needs a capability in the model.
    const actors = model.capabilities.map((c) => c.actor);
    const issueNames = new Map(model.issues.map((i) => [i.id, i.name]));
    const hasToken = Boolean(getToken());

    root.append(el('h1', { text: t('q.heading') }), el('p', { text: t('q.intro') }));
    if (!hasToken) root.append(el('p', { class: 'notice', id: 'q-need-token', text: t('q.needtoken') }));

    // --- The new issue.
    const f = {
      id: el('input', { type: 'text', id: 'q-id', autocomplete: 'off' }),
      name: el('input', { type: 'text', id: 'q-name' }),
      question: el('input', { type: 'text', id: 'q-question' }),
      sphere: el('select', { id: 'q-sphere' }, SPHERES.map((s) => el('option', { value: s, text: t(`sphere.${s}`) }))),
      sq: numberInput('q-sq', 0),
      threshold: numberInput('q-threshold', 50),
      basis: el('textarea', { id: 'q-basis', rows: 2 }),
    };
    const scaleRows = el('tbody');
    function addPoint(at, means) {
      const tr = el('tr', {},
        el('td', {}, el('input', { type: 'number', min: 0, max: 100, step: 'any', value: at, class: 'q-at', 'aria-label': t('q.at') })),
        el('td', {}, el('input', { type: 'text', value: means, class: 'q-means', 'aria-label': t('q.means') })),
        el('td', {}, el('button', { type: 'button', text: t('q.remove'), onclick: () => { tr.remove(); update(); } })));
      scaleRows.append(tr);
    }
    for (const at of [0, 50, 100]) addPoint(at, '');
    const stanceRows = el('tbody', { id: 'q-stance-rows' });
    function addStance() {
      const tr = el('tr', { class: 'q-stance' },
        el('td', {}, el('select', { class: 'q-actor', 'aria-label': t('q.actor') },
          actors.map((a) => el('option', { value: a, text: `${a} — ${names.get(a) || a}` })))),
        el('td', {}, el('input', { type: 'number', min: 0, max: 100, step: 'any', value: 50, class: 'q-pos', 'aria-label': t('q.position') })),
        el('td', {}, el('input', { type: 'number', min: 0, max: 100, step: 'any', value: 50, class: 'q-sal', 'aria-label': t('q.salience') })),
        el('td', {}, el('input', { type: 'text', class: 'q-sbasis', 'aria-label': t('q.stance.basis') })),
        el('td', {}, el('button', { type: 'button', text: t('q.remove'), onclick: () => { tr.remove(); update(); } })));
      stanceRows.append(tr);
      update();
    }
    root.append(el('section', { class: 'panel', id: 'q-issue' },
      el('h2', { text: t('q.issue') }),
      el('p', { class: 'hint', text: t('q.issue.hint') }),
      el('div', { class: 'cols' },
        labelled(t('q.id'), f.id), labelled(t('q.name'), f.name),
        labelled(t('q.question'), f.question), labelled(t('q.sphere'), f.sphere),
        labelled(t('q.sq'), f.sq), labelled(t('q.threshold'), f.threshold)),
      labelled(t('q.basis'), f.basis),
      el('h3', { text: t('q.scale') }),
      el('table', { id: 'q-scale' }, el('thead', {}, el('tr', {},
        el('th', { scope: 'col', text: t('q.at') }), el('th', { scope: 'col', text: t('q.means') }), el('th', {}))), scaleRows),
      el('button', { type: 'button', id: 'q-add-point', text: t('q.addpoint'), onclick: () => { addPoint('', ''); update(); } }),
      el('h3', { text: t('q.stances') }),
      el('p', { class: 'hint', text: t('q.stances.hint') }),
      el('table', { id: 'q-stances' }, el('thead', {}, el('tr', {},
        [t('q.actor'), t('q.position'), t('q.salience'), t('q.stance.basis'), ''].map((h) => el('th', { scope: 'col', text: h })))), stanceRows),
      el('button', { type: 'button', id: 'q-add-stance', text: t('q.addstance'), onclick: addStance })));

    // --- Experts' sheet.
    let imported = [];
    const csv = el('textarea', { id: 'experts-csv', rows: 6, spellcheck: false });
    const file = el('input', { type: 'file', id: 'experts-file', accept: '.csv,text/csv' });
    file.addEventListener('change', async () => {
      if (file.files && file.files[0]) csv.value = await file.files[0].text();
    });
    const importBox = el('div', { id: 'experts-result' });
    const importBtn = el('button', {
      type: 'button', class: 'primary', id: 'experts-import', text: t('q.import'), disabled: !hasToken,
      onclick: async () => {
        importBtn.disabled = true;
        try {
          const added = f.id.value.trim();
          const path = added ? `/api/import/experts?add_issues=${encodeURIComponent(added)}` : '/api/import/experts';
          const r = await postCsv(path, csv.value);
          if (!ctx.isCurrent()) return;
          imported = r.stances;
          drawImported(r);
          update();
        } catch (e) {
          showError(e);
        } finally {
          importBtn.disabled = false;
        }
      },
    });
    function issueLabel(id) {
      if (id === f.id.value.trim()) return f.name.value || id;
      return issueNames.get(id) || id;
    }
    function drawImported(r) {
      clear(importBox);
      importBox.append(el('p', { role: 'status', id: 'experts-summary', text: t('q.imported', { answers: r.answers, experts: r.experts.length, n: r.stances.length }) }));
      const rows = r.stances.map((s) => ({
        label: `${s.actor} · ${s.issue}`,
        value: s.position, lo: s.position_low, hi: s.position_high,
        title: t('q.mark', {
          actor: names.get(s.actor) || s.actor, issue: issueLabel(s.issue), value: num(s.position), low: num(s.position_low), high: num(s.position_high),
          salience: num(s.salience), slow: num(s.salience_low), shigh: num(s.salience_high),
        }),
      }));
      importBox.append(el('figure', { class: 'chart-figure', id: 'experts-chart' },
        rangeChart({ rows, xLabel: t('q.axis'), label: t('q.chart') }),
        el('figcaption', { text: t('q.chart') })));
      importBox.append(table({
        id: 'experts-table', filename: 'experts-stances.csv',
        columns: [
          { key: 'actor', label: t('q.col.actor') },
          { key: 'issue', label: t('q.col.issue') },
          { key: 'position', label: t('q.col.position'), num: true, format: (v) => num(v) },
          { key: 'position_low', label: t('q.col.plow'), num: true, format: (v) => num(v) },
          { key: 'position_high', label: t('q.col.phigh'), num: true, format: (v) => num(v) },
          { key: 'salience', label: t('q.col.salience'), num: true, format: (v) => num(v) },
          { key: 'salience_low', label: t('q.col.slow'), num: true, format: (v) => num(v) },
          { key: 'salience_high', label: t('q.col.shigh'), num: true, format: (v) => num(v) },
          { key: 'capability_factor', label: t('q.col.capfactor'), num: true, format: (v) => (v == null ? '' : num(v, 2)) },
          { key: 'basis', label: t('q.col.basis') },
        ],
        rows: r.stances,
      }));
    }
    root.append(el('section', { class: 'panel', id: 'q-experts' },
      el('h2', { text: t('q.experts') }),
      el('p', { class: 'hint', text: t('q.experts.hint') }),
      labelled(t('q.csv'), csv), labelled(t('q.file'), file),
      importBtn, importBox));

    // --- Save and forecast.
    const sname = el('input', { type: 'text', id: 'q-sname' });
    const sid = el('input', { type: 'text', id: 'q-sid' });
    const sbasis = el('textarea', { id: 'q-sbasis', rows: 2 });
    let sidTouched = false;
    sid.addEventListener('input', () => { sidTouched = true; update(); });
    sname.addEventListener('input', () => { if (!sidTouched) sid.value = slug(sname.value); update(); });
    const preview = el('pre', { id: 'q-preview' });
    const note = el('p', { class: 'hint', id: 'q-dup' });
    const saveBox = el('div', { id: 'q-saved' });
    const resultBox = el('div', { id: 'q-forecast' });

    function newIssue() {
      const id = f.id.value.trim();
      if (!id) return null;
      const scale = [...scaleRows.querySelectorAll('tr')].map((tr) => ({
        at: Number(tr.querySelector('.q-at').value),
        means: tr.querySelector('.q-means').value,
      })).filter((p) => p.means.trim() !== '');
      return {
        id, name: f.name.value, sphere: f.sphere.value, question: f.question.value,
        status_quo: Number(f.sq.value), threshold: Number(f.threshold.value),
        scale, basis: f.basis.value,
      };
    }
    function typedStances(issueId) {
      if (!issueId) return [];
      return [...stanceRows.querySelectorAll('tr')].map((tr) => ({
        actor: tr.querySelector('.q-actor').value,
        issue: issueId,
        position: Number(tr.querySelector('.q-pos').value),
        salience: Number(tr.querySelector('.q-sal').value),
        basis: tr.querySelector('.q-sbasis').value || t('q.default.basis'),
      }));
    }
    function scenario() {
      const issue = newIssue();
      const typed = typedStances(issue && issue.id);
      // The experts' stance wins over one typed for the same actor and issue.
      const key = (s) => `${s.actor}\u0000${s.issue}`;
      const fromExperts = new Set(imported.map(key));
      const kept = typed.filter((s) => !fromExperts.has(key(s)));
      note.textContent = kept.length < typed.length ? t('q.dup', { n: typed.length - kept.length }) : '';
      const s = {
        scenario: { id: sid.value.trim(), title: sname.value.trim(), basis: sbasis.value },
        stance: [...kept, ...imported],
      };
      if (issue) s.new_issue = [issue];
      return s;
    }
    function update() {
      preview.textContent = JSON.stringify(scenario(), null, 2);
    }
    for (const input of [...Object.values(f), sbasis]) input.addEventListener('input', update);
    root.addEventListener('input', (e) => { if (e.target.closest('#q-issue')) update(); });
    root.addEventListener('change', (e) => { if (e.target.closest('#q-issue')) update(); });

    const samples = el('input', { type: 'number', id: 'q-samples', min: 1, max: 100000, value: 1000 });
    let savedId = null;
    const forecastBtn = el('button', {
      type: 'button', id: 'q-run', text: t('q.forecast'), disabled: true,
      onclick: async () => {
        forecastBtn.disabled = true;
        try {
          const id = await startRun({ kind: 'forecast', scenario: savedId, samples: Number(samples.value) });
          const run = await followRun(id, resultBox, ctx.isCurrent);
          if (run.status === 'done' && ctx.isCurrent()) resultBox.append(forecastTable(run.result, { id: 'q-forecast-table', filename: `${sid.value || 'scenario'}-forecast.csv` }));
        } catch (e) {
          showError(e);
        } finally {
          forecastBtn.disabled = false;
        }
      },
    });
    const saveBtn = el('button', {
      type: 'button', class: 'primary', id: 'q-save', text: t('q.saveit'), disabled: !hasToken,
      onclick: async () => {
        const s = scenario();
        if (!s.stance.length && !s.new_issue) {
          showError(new Error(t('q.nothing')));
          return;
        }
        saveBtn.disabled = true;
        try {
          const body = { name: sname.value.trim(), scenario: s };
          if (sbasis.value.trim()) body.basis = sbasis.value.trim();
          const r = await api('/api/scenarios', { method: 'POST', body });
          if (!ctx.isCurrent()) return;
          savedId = r.id;
          saveBox.replaceChildren(el('p', { class: 'notice', role: 'status', text: t('q.saved', { name: r.name, id: r.id }) }));
          forecastBtn.disabled = false;
        } catch (e) {
          showError(e);
        } finally {
          saveBtn.disabled = false;
        }
      },
    });
    root.append(el('section', { class: 'panel', id: 'q-save-panel' },
      el('h2', { text: t('q.save') }),
      el('div', { class: 'cols' }, labelled(t('q.sname'), sname), labelled(t('q.sid'), sid)),
      labelled(t('q.sbasis'), sbasis),
      note,
      el('details', {}, el('summary', { text: t('q.preview') }), preview),
      el('div', { class: 'row' }, saveBtn, labelled(t('q.samples'), samples), forecastBtn),
      saveBox, resultBox));
    update();
  },
};
