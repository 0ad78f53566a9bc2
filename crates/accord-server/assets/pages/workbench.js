// Workbench: start from the baseline or a saved scenario, switch levers on
// and off, move positions, saliences and capabilities with sliders, run with
// a progress bar, see the result beside the baseline (givens marked), save,
// name and reopen scenarios and runs, and compare any two saved runs.
//
// What the workbench edits is an ordinary scenario (the JSON form of the
// scenario format): a lever becomes the stance changes its effects make
// (position and salience shifts added to the model's point values and
// clamped to 0–100, capability factors multiplied), each with the lever named
// in its basis; the levers switched on are listed in the scenario's
// description so that reopening it switches them on again.
import { t, addStrings, localName } from '../i18n.js';
import { el, clear, num, labelled } from '../lib/dom.js';
import { api, getToken, showError } from '../lib/api.js';
import { table } from '../lib/table.js';
import { startRun, followRun, statusText } from '../lib/runs.js';
import { issueForecast, forecastTable, compareChart } from '../lib/forecast.js';

addStrings('en', {
  'wb.title': 'Workbench',
  'wb.heading': 'Workbench',
  'wb.start': 'Start from',
  'wb.baseline': 'the baseline (the model as it is)',
  'wb.load': 'Open',
  'wb.toml': 'Scenario “{name}” was saved as TOML text: it runs as it is; its changes cannot be edited here (start from the baseline to edit).',
  'wb.extra': 'This scenario also changes {n} memberships, status quos or table seats, kept as they are.',
  'wb.name': 'Scenario name',
  'wb.basis': 'Basis (why these changes; optional)',
  'wb.basis.hint': 'Saved with the scenario and every edit. Left empty, the workbench writes “workbench edit by NAME on DATE”, which says only who and when.',
  'wb.author': 'Your name (for the default basis)',
  'wb.levers': 'Levers',
  'wb.levers.hint': 'A lever is a move an actor can make (data/sco/model/levers.toml); switched on, its effects become stance changes.',
  'wb.lever.effects': '{n} effects',
  'wb.edits': 'Positions, saliences and capabilities',
  'wb.issue': 'Issue to edit',
  'wb.position': 'Position of {actor}',
  'wb.salience': 'Salience of {actor}',
  'wb.capability': 'Capability factor of {actor}',
  'wb.reset': 'Reset {actor}',
  'wb.changes': 'Changes against the model: {n} stances',
  'wb.run': 'Run',
  'wb.samples': 'Samples',
  'wb.save': 'Save scenario',
  'wb.saveas': 'Save as new',
  'wb.saved': 'Saved “{name}” (scenario {id}, revision {revision}).',
  'wb.needtoken': 'Enter a token (top right) to run and save.',
  'wb.baselinerun': 'The baseline with the same samples and seed:',
  'wb.result': 'Result beside the baseline',
  'wb.result.chart': 'Median outcome per issue: baseline and this scenario',
  'wb.thisrun': 'this scenario',
  'wb.detail': 'Issue in detail',
  'wb.runs': 'Saved runs',
  'wb.open': 'Open run {id}',
  'wb.compare': 'Compare two runs',
  'wb.runa': 'Run A',
  'wb.runb': 'Run B',
  'wb.compare.go': 'Compare',
  'wb.compare.same': 'Choose two different runs.',
  'wb.compare.kind': 'Only forecast runs can be compared here.',
  'col.id': 'Run',
  'col.kind': 'Kind',
  'col.scenario': 'Scenario',
  'col.status': 'Status',
  'col.samples': 'Samples',
  'col.seed': 'Seed',
  'col.created': 'Started',
  'col.open': 'Open',
  'wb.scenario.inline': 'unsaved scenario',
  'wb.scenario.baseline': 'baseline',
  'wb.default.basis': 'workbench edit by {author} on {date}',
  'wb.default.author': 'an unnamed user',
  'wb.lever.basis': 'lever {id} ({name}) of {actor}',
});
addStrings('ru', {
  'wb.title': 'Верстак',
  'wb.heading': 'Верстак',
  'wb.start': 'Начать с',
  'wb.baseline': 'базового сценария (модель как есть)',
  'wb.load': 'Открыть',
  'wb.toml': 'Сценарий «{name}» сохранён как текст TOML: его можно рассчитать как есть, но не править здесь (для правки начните с базового).',
  'wb.extra': 'Сценарий также меняет членство, статус-кво или состав стола ({n}); эти изменения сохранены как есть.',
  'wb.name': 'Название сценария',
  'wb.basis': 'Обоснование (почему так; необязательно)',
  'wb.basis.hint': 'Сохраняется со сценарием и каждой правкой. Если пусто, верстак запишет «правка на верстаке: ИМЯ, ДАТА» — это говорит лишь кто и когда.',
  'wb.author': 'Ваше имя (для обоснования по умолчанию)',
  'wb.levers': 'Рычаги',
  'wb.levers.hint': 'Рычаг — ход, доступный участнику (data/sco/model/levers.toml); включённый, он меняет позиции участников.',
  'wb.lever.effects': 'эффектов: {n}',
  'wb.edits': 'Позиции, значимость и мощь',
  'wb.issue': 'Вопрос для правки',
  'wb.position': 'Позиция: {actor}',
  'wb.salience': 'Значимость: {actor}',
  'wb.capability': 'Множитель мощи: {actor}',
  'wb.reset': 'Сбросить: {actor}',
  'wb.changes': 'Изменено позиций относительно модели: {n}',
  'wb.run': 'Рассчитать',
  'wb.samples': 'Выборок',
  'wb.save': 'Сохранить сценарий',
  'wb.saveas': 'Сохранить как новый',
  'wb.saved': 'Сохранено: «{name}» (сценарий {id}, редакция {revision}).',
  'wb.needtoken': 'Введите токен (вверху справа), чтобы рассчитывать и сохранять.',
  'wb.baselinerun': 'Базовый сценарий с теми же выборками и зерном:',
  'wb.result': 'Результат рядом с базовым',
  'wb.result.chart': 'Медиана исхода по вопросам: базовый и этот сценарий',
  'wb.thisrun': 'этот сценарий',
  'wb.detail': 'Вопрос подробно',
  'wb.runs': 'Сохранённые расчёты',
  'wb.open': 'Открыть расчёт {id}',
  'wb.compare': 'Сравнить два расчёта',
  'wb.runa': 'Расчёт A',
  'wb.runb': 'Расчёт B',
  'wb.compare.go': 'Сравнить',
  'wb.compare.same': 'Выберите два разных расчёта.',
  'wb.compare.kind': 'Здесь сравниваются только прогнозы.',
  'col.id': 'Расчёт',
  'col.kind': 'Вид',
  'col.scenario': 'Сценарий',
  'col.status': 'Состояние',
  'col.samples': 'Выборок',
  'col.seed': 'Зерно',
  'col.created': 'Начат',
  'col.open': 'Открыть',
  'wb.scenario.inline': 'несохранённый сценарий',
  'wb.scenario.baseline': 'базовый',
  'wb.default.basis': 'правка на верстаке: {author}, {date}',
  'wb.default.author': 'пользователь без имени',
  'wb.lever.basis': 'рычаг {id} ({name}) участника {actor}',
});

const AUTHOR_KEY = 'accord.author';
const LEVERS_RE = /Levers on: ([^.]*)\./;

function today() {
  return new Date().toISOString().slice(0, 10);
}

function slug(name) {
  const s = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return s || 'workbench';
}

function clamp(v) {
  return Math.min(100, Math.max(0, v));
}

const key = (actor, issue) => `${actor}|${issue}`;

/** The stance changes of the levers switched on: key → {actor, issue, dp, ds, factor, levers}. */
export function leverChanges(model, on) {
  const byKey = new Map();
  const stanceKeys = new Set(model.stances.map((s) => key(s.actor, s.issue)));
  const sphereOf = new Map(model.issues.map((i) => [i.id, i.sphere]));
  for (const lever of model.levers) {
    if (!on.has(lever.id)) continue;
    for (const e of lever.effects) {
      const issues = e.issue ? [e.issue] : model.issues.filter((i) => sphereOf.get(i.id) === e.sphere).map((i) => i.id);
      for (const issue of issues) {
        const k = key(e.actor, issue);
        // A lever moves only stances the model holds (as the opportunity search does).
        if (!stanceKeys.has(k)) continue;
        if (!byKey.has(k)) byKey.set(k, { actor: e.actor, issue, dp: 0, ds: 0, factor: 1, levers: [] });
        const c = byKey.get(k);
        if (e.kind === 'position') c.dp += e.shift;
        else if (e.kind === 'salience') c.ds += e.shift;
        else if (e.kind === 'capability') c.factor *= e.factor;
        if (!c.levers.includes(lever)) c.levers.push(lever);
      }
    }
  }
  return byKey;
}

export default {
  id: 'workbench',
  titleKey: 'wb.title',
  async render(root, ctx) {
    const model = await api('/api/model');
    if (!ctx.isCurrent()) return;
    const stanceOf = new Map(model.stances.map((s) => [key(s.actor, s.issue), s]));
    const names = new Map(model.actors.map((a) => [a.id, localName(a.name) || a.id]));
    const canWrite = Boolean(getToken());

    const state = {
      name: '',
      basis: '',
      levers: new Set(),
      edits: new Map(),
      extra: {},
      meta: {},
      saved: null, // {id, revision, format}
      dirty: false, // edited since opened or saved
      toml: null,
      issue: model.issues[0].id,
    };

    // ---- Compose the scenario -------------------------------------------------
    function defaultBasis() {
      const author = (authorBox.value || '').trim() || t('wb.default.author');
      return t('wb.default.basis', { author, date: today() });
    }

    function compose() {
      const levers = leverChanges(model, state.levers);
      const keys = new Set([...levers.keys(), ...state.edits.keys()]);
      const stance = [];
      for (const k of [...keys].sort()) {
        const base = stanceOf.get(k);
        const l = levers.get(k);
        const m = state.edits.get(k) || {};
        const ch = { actor: base.actor, issue: base.issue };
        if (m.position != null) ch.position = m.position;
        else if (l && l.dp) ch.position = clamp(base.position.value + l.dp);
        if (m.salience != null) ch.salience = m.salience;
        else if (l && l.ds) ch.salience = clamp(base.salience.value + l.ds);
        const factor = (m.capability_factor ?? base.capability_factor ?? 1) * (l ? l.factor : 1);
        if (m.capability_factor != null || (l && l.factor !== 1)) ch.capability_factor = Number(factor.toFixed(6));
        if (Object.keys(ch).length === 2) continue;
        const why = [];
        if (l) for (const lv of l.levers) why.push(t('wb.lever.basis', { id: lv.id, name: lv.name, actor: lv.actor }));
        if (m.position != null || m.salience != null || m.capability_factor != null) why.push(state.basis.trim() || defaultBasis());
        ch.basis = why.join('; ');
        stance.push(ch);
      }
      const leverIds = [...state.levers].sort();
      const name = state.name.trim() || 'workbench';
      const scenario = {
        scenario: {
          ...state.meta,
          id: slug(name),
          title: name,
          description: `Made in the Accord workbench. Levers on: ${leverIds.length ? leverIds.join(', ') : 'none'}.`,
          basis: state.basis.trim() || state.meta.basis || defaultBasis(),
        },
        ...state.extra,
      };
      scenario.stance = (state.extra.stance || []).concat(stance);
      if (!scenario.stance.length) delete scenario.stance;
      return scenario;
    }

    /** Reads a saved JSON scenario back into levers and slider edits. */
    function adopt(sc) {
      const { scenario: meta, stance = [], ...rest } = sc;
      const m = sc.scenario.description ? LEVERS_RE.exec(sc.scenario.description) : null;
      state.levers = new Set(m && m[1] !== 'none' ? m[1].split(',').map((s) => s.trim()).filter((id) => model.levers.some((l) => l.id === id)) : []);
      const levers = leverChanges(model, state.levers);
      state.edits = new Map();
      const passthrough = [];
      let userBasis = '';
      for (const c of stance) {
        const k = key(c.actor, c.issue);
        const base = stanceOf.get(k);
        if (!base || c.position_low != null || c.position_high != null || c.salience_low != null || c.salience_high != null) {
          passthrough.push(c);
          continue;
        }
        const l = levers.get(k) || { dp: 0, ds: 0, factor: 1 };
        const e = {};
        const lp = l.dp ? clamp(base.position.value + l.dp) : base.position.value;
        const ls = l.ds ? clamp(base.salience.value + l.ds) : base.salience.value;
        if (c.position != null && Math.abs(c.position - lp) > 1e-9) e.position = c.position;
        if (c.salience != null && Math.abs(c.salience - ls) > 1e-9) e.salience = c.salience;
        if (c.capability_factor != null) {
          const manual = c.capability_factor / l.factor;
          if (Math.abs(manual - (base.capability_factor ?? 1)) > 1e-6) e.capability_factor = Number(manual.toFixed(6));
        }
        if (Object.keys(e).length) {
          state.edits.set(k, e);
          const own = c.basis.split('; ').filter((p) => !/^lever |^рычаг /.test(p));
          if (own.length && !userBasis) userBasis = own.join('; ');
        }
      }
      state.extra = { ...rest };
      if (passthrough.length) state.extra.stance = passthrough;
      const { id: _id, title: _title, description: _d, basis, ...keep } = meta;
      state.meta = keep;
      state.basis = basis && !basis.startsWith('workbench edit') ? basis : userBasis;
    }

    // ---- Layout ---------------------------------------------------------------
    root.append(el('h1', { text: t('wb.heading') }));
    const startSel = el('select', { id: 'wb-start' });
    const openBtn = el('button', { type: 'button', id: 'wb-open', text: t('wb.load') });
    const nameBox = el('input', { type: 'text', id: 'wb-name', size: 40 });
    const basisBox = el('textarea', { id: 'wb-basis', rows: 2, cols: 60 });
    let storedAuthor = '';
    try {
      storedAuthor = localStorage.getItem(AUTHOR_KEY) || '';
    } catch {
      storedAuthor = '';
    }
    const authorBox = el('input', { type: 'text', id: 'wb-author', size: 24, value: storedAuthor });
    authorBox.addEventListener('input', () => {
      try {
        localStorage.setItem(AUTHOR_KEY, authorBox.value);
      } catch {
        // Not kept: the name then lasts this page only.
      }
    });
    const note = el('div', { id: 'wb-note' });
    root.append(el('section', { class: 'panel', id: 'wb-scenario' },
      el('div', { class: 'row' }, labelled(t('wb.start'), startSel), openBtn),
      note,
      el('div', { class: 'cols' }, labelled(t('wb.name'), nameBox), labelled(t('wb.author'), authorBox)),
      labelled(t('wb.basis'), basisBox, t('wb.basis.hint'))));
    nameBox.addEventListener('input', () => { state.name = nameBox.value; state.dirty = true; });
    basisBox.addEventListener('input', () => { state.basis = basisBox.value; state.dirty = true; });

    const leverBox = el('section', { id: 'wb-levers' });
    const editBox = el('section', { id: 'wb-edits' });
    const summary = el('p', { id: 'wb-summary', role: 'status' });
    const samples = el('input', { type: 'number', id: 'wb-samples', min: 1, max: 100000, value: 2000 });
    const runBtn = el('button', { type: 'button', class: 'primary', id: 'wb-run', text: t('wb.run'), disabled: !canWrite });
    const saveBtn = el('button', { type: 'button', id: 'wb-save', text: t('wb.save'), disabled: !canWrite });
    const saveAsBtn = el('button', { type: 'button', id: 'wb-saveas', text: t('wb.saveas'), disabled: !canWrite });
    const progressBox = el('div', { id: 'wb-progress' });
    const resultBox = el('section', { id: 'wb-result' });
    const runsBox = el('section', { id: 'wb-runs' });
    const compareBox = el('section', { id: 'wb-compare' });
    root.append(leverBox, editBox, el('section', { class: 'panel', id: 'wb-actions' },
      summary,
      canWrite ? null : el('p', { class: 'notice', id: 'wb-needtoken', text: t('wb.needtoken') }),
      el('div', { class: 'row' }, labelled(t('wb.samples'), samples), runBtn, saveBtn, saveAsBtn),
      progressBox), resultBox, runsBox, compareBox);

    function drawSummary(edited = true) {
      if (edited) state.dirty = true;
      const sc = compose();
      summary.textContent = t('wb.changes', { n: (sc.stance || []).length });
    }

    function drawLevers() {
      const byActor = new Map();
      for (const l of model.levers) {
        if (!byActor.has(l.actor)) byActor.set(l.actor, []);
        byActor.get(l.actor).push(l);
      }
      clear(leverBox).append(el('h2', { text: t('wb.levers') }), el('p', { class: 'hint', text: t('wb.levers.hint') }));
      for (const [actor, levers] of byActor) {
        leverBox.append(el('fieldset', { class: 'panel' },
          el('legend', { text: `${names.get(actor) || actor} (${actor})` }),
          el('ul', { class: 'lever-list' }, levers.map((l) => {
            const box = el('input', {
              type: 'checkbox', id: `lever-${l.id}`, checked: state.levers.has(l.id), disabled: Boolean(state.toml),
              onchange: () => {
                if (box.checked) state.levers.add(l.id);
                else state.levers.delete(l.id);
                drawEdits();
                drawSummary();
              },
            });
            return el('li', {}, box, ' ', el('label', { for: box.id, text: l.name }), ' ',
              el('span', { class: 'hint', text: `(${t('wb.lever.effects', { n: l.effects.length })})`, title: l.basis }));
          }))));
      }
    }

    function drawEdits() {
      const levers = leverChanges(model, state.levers);
      const pick = el('select', { id: 'wb-issue', disabled: Boolean(state.toml) },
        model.issues.map((i) => el('option', { value: i.id, selected: i.id === state.issue, text: `${i.name} (${i.id})` })));
      pick.addEventListener('change', () => { state.issue = pick.value; drawEdits(); });
      const rows = model.stances.filter((s) => s.issue === state.issue).map((s) => {
        const k = key(s.actor, s.issue);
        const l = levers.get(k) || { dp: 0, ds: 0, factor: 1 };
        const m = state.edits.get(k) || {};
        const who = names.get(s.actor) || s.actor;
        const slider = (field, label, min, max, step, current) => {
          const out = el('output', { text: num(current, field === 'capability_factor' ? 2 : 0) });
          const input = el('input', {
            type: 'range', min, max, step, value: current, id: `wb-${field}-${s.actor}`,
            'aria-label': label, disabled: Boolean(state.toml),
          });
          out.setAttribute('for', input.id);
          input.addEventListener('input', () => {
            const e = state.edits.get(k) || {};
            e[field] = field === 'capability_factor' ? Number(input.value) / l.factor : Number(input.value);
            state.edits.set(k, e);
            out.textContent = num(Number(input.value), field === 'capability_factor' ? 2 : 0);
            drawSummary();
          });
          return [el('span', { text: label }), input, out];
        };
        const pos = m.position ?? (l.dp ? clamp(s.position.value + l.dp) : s.position.value);
        const sal = m.salience ?? (l.ds ? clamp(s.salience.value + l.ds) : s.salience.value);
        const cap = (m.capability_factor ?? s.capability_factor ?? 1) * l.factor;
        const reset = el('button', {
          type: 'button', text: t('wb.reset', { actor: s.actor }), disabled: !state.edits.has(k),
          onclick: () => { state.edits.delete(k); drawEdits(); drawSummary(); },
        });
        return el('div', { class: 'panel stance-row' },
          el('h3', { text: `${who} (${s.actor})` }),
          el('div', { class: 'stance-edit' },
            slider('position', t('wb.position', { actor: s.actor }), 0, 100, 1, pos),
            slider('salience', t('wb.salience', { actor: s.actor }), 0, 100, 1, sal),
            slider('capability_factor', t('wb.capability', { actor: s.actor }), 0.1, 3, 0.05, cap)),
          reset);
      });
      clear(editBox).append(el('h2', { text: t('wb.edits') }), labelled(t('wb.issue'), pick), el('div', { class: 'cols' }, rows));
    }

    async function drawStartOptions(selected) {
      const list = await api('/api/scenarios');
      clear(startSel).append(el('option', { value: '', text: t('wb.baseline') }),
        ...list.map((s) => el('option', { value: String(s.id), selected: String(s.id) === String(selected), text: `${s.name} (#${s.id}, r${s.revision})` })));
    }

    async function open(id) {
      clear(note);
      state.saved = null;
      state.toml = null;
      state.levers = new Set();
      state.edits = new Map();
      state.extra = {};
      state.meta = {};
      state.name = '';
      state.basis = '';
      if (id) {
        const s = await api(`/api/scenarios/${encodeURIComponent(id)}`);
        state.saved = { id: s.id, revision: s.revision, format: s.format };
        state.name = s.name;
        if (s.format === 'json') {
          adopt(JSON.parse(s.body));
        } else {
          state.toml = s.body;
          note.append(el('p', { class: 'notice', text: t('wb.toml', { name: s.name }) }));
        }
        const extras = ['membership', 'issue', 'table', 'remove_actor', 'stance']
          .reduce((n, k) => n + (Array.isArray(state.extra[k]) ? state.extra[k].length : (state.extra[k] ? 1 : 0)), 0);
        if (extras) note.append(el('p', { class: 'notice', text: t('wb.extra', { n: extras }) }));
      }
      nameBox.value = state.name;
      basisBox.value = state.basis;
      saveBtn.disabled = !canWrite || Boolean(state.toml);
      saveAsBtn.disabled = !canWrite || Boolean(state.toml);
      drawLevers();
      drawEdits();
      drawSummary(false);
      state.dirty = false;
    }
    openBtn.addEventListener('click', async () => {
      try {
        await open(startSel.value);
        history.replaceState(null, '', startSel.value ? `#/workbench/scenario/${startSel.value}` : '#/workbench');
      } catch (e) {
        showError(e);
      }
    });

    async function save(asNew) {
      const name = state.name.trim();
      if (!name) {
        nameBox.focus();
        throw new Error(t('wb.name'));
      }
      const body = { name, scenario: compose(), basis: state.basis.trim() || defaultBasis() };
      const s = state.saved && !asNew
        ? await api(`/api/scenarios/${state.saved.id}`, { method: 'PUT', body })
        : await api('/api/scenarios', { method: 'POST', body });
      state.saved = { id: s.id, revision: s.revision, format: s.format };
      state.dirty = false;
      history.replaceState(null, '', `#/workbench/scenario/${s.id}`);
      await drawStartOptions(s.id);
      clear(note).append(el('p', { class: 'notice', id: 'wb-saved', role: 'status', text: t('wb.saved', { name: s.name, id: s.id, revision: s.revision }) }));
      return s;
    }
    saveBtn.addEventListener('click', () => save(false).catch(showError));
    saveAsBtn.addEventListener('click', () => save(true).catch(showError));

    /** The finished baseline forecast with these samples and seed, run now if there is none. */
    async function baselineLike(run) {
      const runs = await api('/api/runs');
      const found = runs.find((r) => r.kind === 'forecast' && r.status === 'done' && r.samples === run.samples && r.seed === run.seed
        && r.settings && r.settings.scenario && r.settings.scenario.from === 'baseline');
      if (found) return api(`/api/runs/${found.id}`);
      if (!getToken()) return null;
      const id = await startRun({ kind: 'forecast', samples: run.samples, seed: run.seed });
      const b = await followRun(id, progressBox, ctx.isCurrent);
      return b.status === 'done' ? b : null;
    }

    async function showRun(run) {
      clear(resultBox);
      if (!run || !run.result) return;
      const baseline = await baselineLike(run).catch((e) => { showError(e); return null; });
      if (!ctx.isCurrent()) return;
      const r = run.result;
      const detailPick = el('select', { id: 'wb-detail' }, r.issues.map((i) => el('option', { value: i.id, text: `${i.name}${i.given ? ` (${t('fc.given')})` : ''}` })));
      const detail = el('div');
      const drawDetail = () => clear(detail).append(issueForecast(r, detailPick.value, { baseline: baseline && baseline.result }));
      detailPick.addEventListener('change', drawDetail);
      resultBox.append(el('h2', { text: `${t('wb.result')} (${t('col.id')} ${run.id})` }));
      if (baseline) {
        resultBox.append(el('figure', { class: 'chart-figure', id: 'wb-chart' },
          el('figcaption', { text: t('wb.result.chart') }),
          compareChart(baseline.result, r, [`${t('fc.baseline')} (${t('col.id')} ${baseline.id})`, `${r.scenario} (${t('col.id')} ${run.id})`])));
      }
      resultBox.append(forecastTable(r, { baseline: baseline && baseline.result, id: 'wb-table', filename: `run-${run.id}-${r.scenario}.csv` }),
        el('h3', { text: t('wb.detail') }), labelled(t('wb.detail'), detailPick), detail);
      drawDetail();
    }

    runBtn.addEventListener('click', async () => {
      runBtn.disabled = true;
      try {
        const body = { kind: 'forecast', samples: Number(samples.value) };
        // A saved scenario not edited since runs by its id, so the run is kept with its name and revision.
        if (state.saved && (state.toml || !state.dirty)) body.scenario = state.saved.id;
        else if (state.levers.size || state.edits.size || Object.keys(state.extra).length || state.saved) body.scenario = compose();
        const id = await startRun(body);
        const run = await followRun(id, progressBox, ctx.isCurrent);
        if (run.status === 'done' && ctx.isCurrent()) await showRun(run);
        await drawRuns();
      } catch (e) {
        showError(e);
      } finally {
        runBtn.disabled = false;
      }
    });

    async function drawRuns() {
      const runs = await api('/api/runs');
      const scenarios = await api('/api/scenarios');
      const sname = new Map(scenarios.map((s) => [s.id, s.name]));
      const label = (r) => {
        if (r.scenario) return `${sname.get(r.scenario.id) || `#${r.scenario.id}`} r${r.scenario.revision}`;
        return r.settings && r.settings.scenario && r.settings.scenario.from === 'baseline' ? t('wb.scenario.baseline') : t('wb.scenario.inline');
      };
      const openRun = async (id) => {
        try {
          await showRun(await api(`/api/runs/${id}`));
          resultBox.scrollIntoView();
        } catch (e) {
          showError(e);
        }
      };
      clear(runsBox).append(el('h2', { text: t('wb.runs') }), table({
        id: 'wb-runs-table', filename: 'runs.csv',
        columns: [
          { key: 'id', label: t('col.id'), num: true },
          { key: 'kind', label: t('col.kind') },
          { key: 'scenario', label: t('col.scenario'), value: label },
          { key: 'status', label: t('col.status'), format: statusText },
          { key: 'samples', label: t('col.samples'), num: true },
          { key: 'seed', label: t('col.seed'), num: true },
          { key: 'created_at', label: t('col.created') },
          { key: 'open', label: t('col.open'), value: () => '', cell: (r) => (r.kind === 'forecast' && r.status === 'done'
            ? el('button', { type: 'button', text: t('wb.open', { id: r.id }), onclick: () => openRun(r.id) }) : '') },
        ],
        rows: runs,
      }));
      const done = runs.filter((r) => r.kind === 'forecast' && r.status === 'done');
      const opt = (r) => el('option', { value: String(r.id), text: `${r.id}: ${label(r)} (${r.samples}, seed ${r.seed})` });
      const a = el('select', { id: 'wb-run-a' }, done.map(opt));
      const b = el('select', { id: 'wb-run-b' }, done.map(opt));
      if (done.length > 1) b.selectedIndex = 1;
      const out = el('div', { id: 'wb-compare-out' });
      const go = el('button', {
        type: 'button', id: 'wb-compare-go', text: t('wb.compare.go'),
        onclick: async () => {
          clear(out);
          if (a.value === b.value) {
            out.append(el('p', { class: 'notice', text: t('wb.compare.same') }));
            return;
          }
          try {
            const [ra, rb] = await Promise.all([api(`/api/runs/${a.value}`), api(`/api/runs/${b.value}`)]);
            const na = `A: ${t('col.id')} ${ra.id}`;
            const nb = `B: ${t('col.id')} ${rb.id}`;
            out.append(compareChart(ra.result, rb.result, [na, nb]),
              forecastTable(rb.result, { baseline: ra.result, id: 'wb-compare-table', filename: `compare-${ra.id}-${rb.id}.csv` }));
          } catch (e) {
            showError(e);
          }
        },
      });
      clear(compareBox).append(el('h2', { text: t('wb.compare') }),
        el('div', { class: 'row' }, labelled(t('wb.runa'), a), labelled(t('wb.runb'), b), go), out);
    }

    const wanted = ctx.params[0] === 'scenario' ? ctx.params[1] : '';
    await drawStartOptions(wanted);
    try {
      await open(wanted);
    } catch (e) {
      showError(e);
      await open('');
    }
    await drawRuns();
  },
};
