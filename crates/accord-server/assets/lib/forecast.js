// A forecast's JSON (the result of a `forecast` run, as `accord forecast
// --json` prints it) drawn for one issue or as a table of every issue,
// optionally beside a baseline. Givens (`given`, `given_reason`) are marked.
import { t, addStrings } from '../i18n.js';
import { el, num, pct } from './dom.js';
import { table } from './table.js';
import { boxChart, dumbbellChart, legend, SHAPES } from './chart.js';

addStrings('en', {
  'fc.model.headline': 'calibrated headline',
  'fc.model.compromise': 'compromise',
  'fc.model.consensus': 'consensus',
  'fc.model.eum': 'expected utility (EUM)',
  'fc.model.smp': 'spatial model (SMP)',
  'fc.model.run': 'this run (input spread only)',
  'fc.baseline': 'baseline',
  'fc.axis': 'Outcome on the issue’s 0–100 scale',
  'fc.box': '{model}: 5 % {q0}, 25 % {q1}, median {q2}, 75 % {q3}, 95 % {q4}; P(≥ {threshold}) = {p}',
  'fc.box.legend': 'Whiskers 5–95 %, box 25–75 %, marker the median',
  'fc.sq': 'status quo',
  'fc.threshold': 'threshold',
  'fc.headline': 'Calibrated headline: P(outcome ≥ {threshold}) = {p}; median {median} (90 % interval {lo}–{hi}).',
  'fc.given': 'given',
  'fc.given.note': 'A given of the scenario: {reason}. Its forecast replays the scenario’s input and is not a finding.',
  'fc.col.issue': 'Issue',
  'fc.col.given': 'Given',
  'fc.col.p': 'P(≥ threshold)',
  'fc.col.median': 'Median',
  'fc.col.q05': '5 %',
  'fc.col.q95': '95 %',
  'fc.col.bp': 'Baseline P',
  'fc.col.bmedian': 'Baseline median',
  'fc.col.dp': 'Δ P',
  'fc.col.dmedian': 'Δ median',
  'fc.col.model': 'Model',
  'fc.col.weight': 'Weight in headline',
  'fc.col.residuals': 'Residuals',
  'fc.provenance': 'Scenario {scenario}, seed {seed}, {samples} samples, settings {settings}.',
  'fc.compare.axis': 'Median outcome (calibrated headline), 0–100',
  'fc.notran': 'did not run: {error}',
});
addStrings('ru', {
  'fc.model.headline': 'калиброванный итог',
  'fc.model.compromise': 'компромисс',
  'fc.model.consensus': 'консенсус',
  'fc.model.eum': 'ожидаемая полезность (EUM)',
  'fc.model.smp': 'пространственная модель (SMP)',
  'fc.model.run': 'этот расчёт (только разброс входных данных)',
  'fc.baseline': 'базовый',
  'fc.axis': 'Исход по шкале вопроса 0–100',
  'fc.box': '{model}: 5 % {q0}, 25 % {q1}, медиана {q2}, 75 % {q3}, 95 % {q4}; P(≥ {threshold}) = {p}',
  'fc.box.legend': 'Усы 5–95 %, ящик 25–75 %, метка — медиана',
  'fc.sq': 'статус-кво',
  'fc.threshold': 'порог',
  'fc.headline': 'Калиброванный итог: P(исход ≥ {threshold}) = {p}; медиана {median} (90 % интервал {lo}–{hi}).',
  'fc.given': 'задано',
  'fc.given.note': 'Задано сценарием: {reason}. Прогноз повторяет входные данные сценария и не является выводом.',
  'fc.col.issue': 'Вопрос',
  'fc.col.given': 'Задано',
  'fc.col.p': 'P(≥ порога)',
  'fc.col.median': 'Медиана',
  'fc.col.q05': '5 %',
  'fc.col.q95': '95 %',
  'fc.col.bp': 'Базовая P',
  'fc.col.bmedian': 'Базовая медиана',
  'fc.col.dp': 'Δ P',
  'fc.col.dmedian': 'Δ медианы',
  'fc.col.model': 'Модель',
  'fc.col.weight': 'Вес в итоге',
  'fc.col.residuals': 'Остатки',
  'fc.provenance': 'Сценарий {scenario}, зерно {seed}, выборок {samples}, настройки {settings}.',
  'fc.compare.axis': 'Медиана исхода (калиброванный итог), 0–100',
  'fc.notran': 'не рассчитана: {error}',
});

/** The display name of a model id of the ensemble. */
export function modelName(id) {
  const k = `fc.model.${id}`;
  return t(k) === k ? id : t(k);
}

/** The issue `id` of a forecast result. */
export function issueOf(result, id) {
  return result && result.issues ? result.issues.find((i) => i.id === id) : undefined;
}

/** The calibrated headline of an issue: {p, q} or null. */
export function headline(issue) {
  const h = issue && issue.predictive && issue.predictive.headline;
  if (h && h.ran !== false && h.quantiles) return { p: h.p_at_or_above, q: h.quantiles, threshold: h.threshold };
  const s = issue && issue.summary;
  return s && s.quantiles ? { p: s.p_above, q: s.quantiles, threshold: s.threshold } : null;
}

/** Where a forecast came from: scenario, seed, samples, model settings. */
export function provenance(result) {
  const s = result.run && result.run.settings;
  return t('fc.provenance', {
    scenario: result.scenario,
    seed: s ? s.seed : '—',
    samples: s ? s.samples : '—',
    settings: s ? JSON.stringify(s.model) : '—',
  });
}

/**
 * One issue's forecast: every model's distribution and the calibrated
 * headline as box plots, the baseline's headline beside it when given.
 */
export function issueForecast(result, id, { baseline, meta } = {}) {
  const issue = issueOf(result, id);
  if (!issue) return el('p', { text: t('chart.none') });
  const threshold = issue.summary ? issue.summary.threshold : (meta ? meta.threshold : null);
  const rows = [];
  const boxTitle = (name, q, p) => t('fc.box', {
    model: name, q0: num(q[0]), q1: num(q[1]), q2: num(q[2]), q3: num(q[3]), q4: num(q[4]), threshold, p: pct(p, 1),
  });
  const models = (issue.predictive && issue.predictive.models) || [];
  models.forEach((m, i) => {
    if (m.ran === false || !m.quantiles) return;
    rows.push({ label: modelName(m.model), q: m.quantiles, shape: SHAPES[i % SHAPES.length], title: boxTitle(modelName(m.model), m.quantiles, m.p_at_or_above) });
  });
  const h = headline(issue);
  if (h) rows.push({ label: modelName('headline'), q: h.q, shape: 'diamond', cls: 'headline', title: boxTitle(modelName('headline'), h.q, h.p) });
  const b = baseline && headline(issueOf(baseline, id));
  if (b) rows.push({ label: `${t('fc.baseline')}: ${modelName('headline')}`, q: b.q, shape: 'cross', faint: true, title: boxTitle(`${t('fc.baseline')}: ${modelName('headline')}`, b.q, b.p) });
  const refs = [{ at: issue.status_quo, label: t('fc.sq'), kind: 'sq', title: `${t('fc.sq')}: ${issue.status_quo}` }];
  if (threshold != null) refs.push({ at: threshold, label: t('fc.threshold'), kind: 'threshold', title: `${t('fc.threshold')}: ${threshold}` });
  const parts = [];
  if (issue.given) parts.push(el('p', { class: 'notice given-note' }, el('span', { class: 'tag', text: t('fc.given') }), ' ', t('fc.given.note', { reason: issue.given_reason || '' })));
  if (h) {
    parts.push(el('p', { class: 'headline', text: t('fc.headline', { threshold, p: pct(h.p, 1), median: num(h.q[2]), lo: num(h.q[0]), hi: num(h.q[4]) }) }));
  }
  parts.push(el('figure', { class: 'chart-figure' },
    boxChart({ rows, xLabel: t('fc.axis'), refs, label: issue.name }),
    legend(rows.map((r, i) => ({ label: r.label, shape: r.shape, fill: `pattern-${i % 6}` }))),
    el('figcaption', { class: 'hint', text: t('fc.box.legend') })));
  parts.push(table({
    id: `models-${id}`,
    filename: `forecast-${result.scenario}-${id}.csv`,
    columns: [
      { key: 'model', label: t('fc.col.model'), value: (m) => modelName(m.model) },
      { key: 'weight', label: t('fc.col.weight'), num: true, format: (v) => num(v, 2) },
      { key: 'p', label: t('fc.col.p'), num: true, value: (m) => m.p_at_or_above, format: (v, m) => (m.ran === false ? t('fc.notran', { error: m.error || '' }) : pct(v, 1)) },
      { key: 'q05', label: t('fc.col.q05'), num: true, value: (m) => (m.quantiles ? m.quantiles[0] : null), format: (v) => num(v) },
      { key: 'median', label: t('fc.col.median'), num: true, value: (m) => (m.quantiles ? m.quantiles[2] : null), format: (v) => num(v) },
      { key: 'q95', label: t('fc.col.q95'), num: true, value: (m) => (m.quantiles ? m.quantiles[4] : null), format: (v) => num(v) },
      { key: 'residuals', label: t('fc.col.residuals'), num: true },
    ],
    rows: models.concat(issue.predictive && issue.predictive.headline ? [issue.predictive.headline] : []),
  }));
  parts.push(el('p', { class: 'hint', text: provenance(result) }));
  return el('div', { class: 'issue-forecast' }, parts);
}

/** Every issue's headline in a table, beside the baseline's when given. */
export function forecastTable(result, { baseline, id = 'forecast-table', filename } = {}) {
  const rows = result.issues.map((i) => {
    const h = headline(i);
    const b = baseline ? headline(issueOf(baseline, i.id)) : null;
    return {
      id: i.id, name: i.name, given: i.given ? (i.given_reason || t('fc.given')) : '',
      p: h ? h.p : null, median: h ? h.q[2] : null, q05: h ? h.q[0] : null, q95: h ? h.q[4] : null,
      bp: b ? b.p : null, bmedian: b ? b.q[2] : null,
      dp: h && b ? h.p - b.p : null, dmedian: h && b ? h.q[2] - b.q[2] : null,
      isGiven: Boolean(i.given),
    };
  });
  const columns = [
    { key: 'name', label: t('fc.col.issue') },
    { key: 'given', label: t('fc.col.given'), cell: (r) => (r.isGiven ? el('span', { class: 'tag', title: r.given, text: t('fc.given') }) : '') },
    { key: 'p', label: t('fc.col.p'), num: true, format: (v) => pct(v, 1) },
    { key: 'median', label: t('fc.col.median'), num: true, format: (v) => num(v) },
    { key: 'q05', label: t('fc.col.q05'), num: true, format: (v) => num(v) },
    { key: 'q95', label: t('fc.col.q95'), num: true, format: (v) => num(v) },
  ];
  if (baseline) {
    columns.push(
      { key: 'bp', label: t('fc.col.bp'), num: true, format: (v) => pct(v, 1) },
      { key: 'dp', label: t('fc.col.dp'), num: true, format: (v) => (v == null ? '—' : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}`) },
      { key: 'bmedian', label: t('fc.col.bmedian'), num: true, format: (v) => num(v) },
      { key: 'dmedian', label: t('fc.col.dmedian'), num: true, format: (v) => (v == null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}`) },
    );
  }
  return table({ id, filename: filename || `forecast-${result.scenario}.csv`, columns, rows, rowClass: (r) => (r.isGiven ? 'given' : null) });
}

/** Headline medians of two forecasts, issue by issue (givens faint and labelled). */
export function compareChart(a, b, names) {
  const rows = a.issues.map((i) => {
    const ha = headline(i);
    const ib = issueOf(b, i.id);
    const hb = headline(ib);
    const given = i.given || (ib && ib.given);
    return {
      label: given ? `${i.id} (${t('fc.given')})` : i.id,
      faint: Boolean(given),
      a: ha ? ha.q[2] : null,
      b: hb ? hb.q[2] : null,
      titleA: ha ? `${names[0]} — ${i.name}: ${t('fc.col.median')} ${num(ha.q[2])}, P ${pct(ha.p, 1)}` : '',
      titleB: hb ? `${names[1]} — ${i.name}: ${t('fc.col.median')} ${num(hb.q[2])}, P ${pct(hb.p, 1)}` : '',
    };
  });
  return dumbbellChart({ rows, names, xLabel: t('fc.compare.axis') });
}
