// Issues: per issue the actors' positions with their ranges, the status quo
// and the threshold; each model's forecast distribution and the calibrated
// headline from the latest stored baseline forecast run (reading it needs no
// token), and a button to start one (that needs a token).
import { t, addStrings, localName } from '../i18n.js';
import { el, clear, num, labelled } from '../lib/dom.js';
import { api, getToken, showError } from '../lib/api.js';
import { table } from '../lib/table.js';
import { rangeChart, legend } from '../lib/chart.js';
import { startRun, followRun, latestRun, isBaseline } from '../lib/runs.js';
import { issueForecast, forecastTable } from '../lib/forecast.js';

addStrings('en', {
  'issues.title': 'Issues',
  'issues.heading': 'Issues of the model ({date})',
  'issues.pick': 'Issue',
  'issues.question': 'Question',
  'issues.sphere': 'Sphere: {sphere}',
  'issues.sq': 'Status quo {sq}: {means}',
  'issues.sq.basis': 'Basis of the status quo: {basis}',
  'issues.threshold': 'Threshold {threshold}: P is of an outcome at or above it.',
  'issues.scale': 'The scale',
  'issues.at': 'Point',
  'issues.means': 'Means',
  'issues.positions': 'Positions (point value and range)',
  'issues.axis': 'Position on the 0–100 scale',
  'issues.member': 'votes (member on the model’s date)',
  'issues.other': 'no vote (observer, partner, guest or outsider)',
  'issues.mark': '{name}: position {value} (range {low}–{high}), salience {salience} ({slow}–{shigh})',
  'issues.stances': 'Stances',
  'col.actor': 'Code',
  'col.name': 'Name',
  'col.position': 'Position',
  'col.low': 'Low',
  'col.high': 'High',
  'col.salience': 'Salience',
  'col.capfactor': 'Capability ×',
  'col.basis': 'Basis',
  'issues.forecast': 'Forecast of the baseline',
  'issues.none': 'No baseline forecast has been run on this server yet.',
  'issues.needtoken': 'Enter a token (top right) to run the baseline forecast.',
  'issues.run': 'Run the baseline forecast',
  'issues.samples': 'Samples',
  'issues.all': 'Every issue’s headline',
});
addStrings('ru', {
  'issues.title': 'Вопросы',
  'issues.heading': 'Вопросы модели ({date})',
  'issues.pick': 'Вопрос',
  'issues.question': 'Вопрос',
  'issues.sphere': 'Сфера: {sphere}',
  'issues.sq': 'Статус-кво {sq}: {means}',
  'issues.sq.basis': 'Обоснование статус-кво: {basis}',
  'issues.threshold': 'Порог {threshold}: P — вероятность исхода не ниже порога.',
  'issues.scale': 'Шкала',
  'issues.at': 'Точка',
  'issues.means': 'Значение',
  'issues.positions': 'Позиции (точка и диапазон)',
  'issues.axis': 'Позиция по шкале 0–100',
  'issues.member': 'голосует (член на дату модели)',
  'issues.other': 'без голоса (наблюдатель, партнёр, гость или внешний участник)',
  'issues.mark': '{name}: позиция {value} (диапазон {low}–{high}), значимость {salience} ({slow}–{shigh})',
  'issues.stances': 'Позиции участников',
  'col.actor': 'Код',
  'col.name': 'Название',
  'col.position': 'Позиция',
  'col.low': 'Мин.',
  'col.high': 'Макс.',
  'col.salience': 'Значимость',
  'col.capfactor': 'Мощь ×',
  'col.basis': 'Обоснование',
  'issues.forecast': 'Прогноз базового сценария',
  'issues.none': 'На этом сервере базовый прогноз ещё не рассчитывался.',
  'issues.needtoken': 'Введите токен (вверху справа), чтобы рассчитать базовый прогноз.',
  'issues.run': 'Рассчитать базовый прогноз',
  'issues.samples': 'Выборок',
  'issues.all': 'Итоги по всем вопросам',
});

/** The label of the scale point nearest `v`. */
export function scaleMeaning(issue, v) {
  if (!issue.scale || !issue.scale.length) return '';
  let best = issue.scale[0];
  for (const p of issue.scale) if (Math.abs(p.at - v) < Math.abs(best.at - v)) best = p;
  return best.at === v ? best.means : `≈ ${best.at}: ${best.means}`;
}

export default {
  id: 'issues',
  titleKey: 'issues.title',
  async render(root, ctx) {
    const model = await api('/api/model');
    if (!ctx.isCurrent()) return;
    const date = model.meta.date;
    const status = await api(`/api/record/status?org=${encodeURIComponent(model.meta.org)}&at=${date}`);
    const voters = new Set(status.filter((s) => s.votes).map((s) => s.actor));
    const names = new Map(model.actors.map((a) => [a.id, localName(a.name) || a.id]));
    const issueId = ctx.params[0] && model.issues.some((i) => i.id === ctx.params[0]) ? ctx.params[0] : model.issues[0].id;

    root.append(el('h1', { text: t('issues.heading', { date }) }));
    const pick = el('select', { id: 'issue-pick', onchange: () => ctx.navigate(`#/issues/${encodeURIComponent(pick.value)}`) },
      model.issues.map((i) => el('option', { value: i.id, selected: i.id === issueId, text: `${i.name} (${i.id})` })));
    root.append(labelled(t('issues.pick'), pick));

    const issue = model.issues.find((i) => i.id === issueId);
    const stances = model.stances.filter((s) => s.issue === issueId)
      .sort((a, b) => b.position.value - a.position.value);
    const desc = el('section', { class: 'panel', id: 'issue-desc' },
      el('h2', { text: issue.name }),
      el('p', {}, el('strong', { text: `${t('issues.question')}: ` }), issue.question),
      el('p', { text: t('issues.sphere', { sphere: issue.sphere }) }),
      el('p', { text: t('issues.sq', { sq: issue.status_quo, means: scaleMeaning(issue, issue.status_quo) }) }),
      issue.status_quo_basis ? el('p', { class: 'hint', text: t('issues.sq.basis', { basis: issue.status_quo_basis }) }) : null,
      el('p', { text: t('issues.threshold', { threshold: issue.threshold }) }),
      el('details', {}, el('summary', { text: t('issues.scale') }), table({
        id: 'scale-table', filename: `${issue.id}-scale.csv`,
        columns: [{ key: 'at', label: t('issues.at'), num: true }, { key: 'means', label: t('issues.means') }],
        rows: issue.scale,
      })));
    root.append(desc);

    const rows = stances.map((s) => ({
      label: `${names.get(s.actor) || s.actor} (${s.actor})`,
      value: s.position.value, lo: s.position.low, hi: s.position.high,
      shape: voters.has(s.actor) ? 'circle' : 'triangle',
      cls: voters.has(s.actor) ? null : 'outside',
      title: t('issues.mark', {
        name: names.get(s.actor) || s.actor, value: s.position.value, low: s.position.low, high: s.position.high,
        salience: s.salience.value, slow: s.salience.low, shigh: s.salience.high,
      }),
    }));
    root.append(el('section', { id: 'issue-positions' },
      el('h2', { text: t('issues.positions') }),
      el('figure', { class: 'chart-figure' },
        rangeChart({
          rows, xLabel: t('issues.axis'), label: issue.name,
          refs: [
            { at: issue.status_quo, label: t('fc.sq'), kind: 'sq' },
            { at: issue.threshold, label: t('fc.threshold'), kind: 'threshold' },
          ],
        }),
        legend([{ label: t('issues.member'), shape: 'circle' }, { label: t('issues.other'), shape: 'triangle', cls: 'outside' }]))));
    root.append(el('section', { id: 'issue-stances' }, el('h2', { text: t('issues.stances') }), table({
      id: 'stances-table', filename: `${issue.id}-stances.csv`,
      columns: [
        { key: 'actor', label: t('col.actor') },
        { key: 'name', label: t('col.name'), value: (s) => names.get(s.actor) || s.actor },
        { key: 'position', label: t('col.position'), num: true, value: (s) => s.position.value },
        { key: 'low', label: t('col.low'), num: true, value: (s) => s.position.low },
        { key: 'high', label: t('col.high'), num: true, value: (s) => s.position.high },
        { key: 'salience', label: t('col.salience'), num: true, value: (s) => s.salience.value, format: (v, s) => `${num(v, 0)} (${num(s.salience.low, 0)}–${num(s.salience.high, 0)})` },
        { key: 'capability_factor', label: t('col.capfactor'), num: true, format: (v) => (v == null ? '' : num(v, 2)) },
        { key: 'basis', label: t('col.basis') },
      ],
      rows: stances,
    })));

    const fcBox = el('section', { id: 'issue-forecast' }, el('h2', { text: t('issues.forecast') }));
    root.append(fcBox);
    const body = el('div');
    const runBox = el('div', { class: 'panel', id: 'run-box' });
    fcBox.append(runBox, body);
    function drawResult(run) {
      clear(body);
      if (!run || !run.result) {
        body.append(el('p', { class: 'notice', id: 'no-forecast', text: t('issues.none') }));
        return;
      }
      body.append(issueForecast(run.result, issueId, { meta: issue }),
        el('h3', { text: t('issues.all') }), forecastTable(run.result, { id: 'headline-table' }));
    }
    const samples = el('input', { type: 'number', min: 1, max: 100000, value: 2000, id: 'issue-samples' });
    const runBtn = el('button', {
      type: 'button', class: 'primary', id: 'run-baseline', text: t('issues.run'),
      onclick: async () => {
        runBtn.disabled = true;
        try {
          const id = await startRun({ kind: 'forecast', samples: Number(samples.value) });
          const run = await followRun(id, progressBox, ctx.isCurrent);
          if (run.status === 'done' && ctx.isCurrent()) drawResult(run);
        } catch (e) {
          showError(e);
        } finally {
          runBtn.disabled = false;
        }
      },
    });
    const progressBox = el('div');
    if (getToken()) runBox.append(el('div', { class: 'row' }, labelled(t('issues.samples'), samples), runBtn), progressBox);
    else runBox.append(el('p', { id: 'need-token', text: t('issues.needtoken') }));
    drawResult(await latestRun((r) => r.kind === 'forecast' && isBaseline(r)));
  },
};
