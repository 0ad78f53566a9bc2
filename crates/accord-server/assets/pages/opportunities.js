// Opportunities: the search over an actor's levers (`opportunities` run,
// accord_analysis::opportunities::search, the same as `accord opportunities`)
// for any actor the model offers levers to (GET /api/model/focal-actors),
// with its best single levers, pairs and triples and what ΔU means.
import { t, addStrings, localName } from '../i18n.js';
import { el, clear, num, labelled } from '../lib/dom.js';
import { api, getToken, showError } from '../lib/api.js';
import { table } from '../lib/table.js';
import { rangeChart } from '../lib/chart.js';
import { startRun, followRun, latestRun, isBaseline } from '../lib/runs.js';

addStrings('en', {
  'opp.title': 'Opportunities',
  'opp.heading': 'Opportunities: which moves serve an actor best',
  'opp.intro': 'The search switches on each of the actor’s levers, then combinations of them, and measures what the forecast outcomes of the baseline then give the actor, on the same Monte Carlo draws with and without the levers.',
  'opp.unit': 'ΔU is the change of the actor’s expected utility. Its utility is the sum over the issues where it has a stake of −(salience ÷ 100) × (distance between the outcome and its position ÷ 100) (linear loss; quadratic squares the distance). So ΔU = +0.01 is worth the outcome moving one point of the 0–100 scale closer to its position on an issue of salience 100, or five points on an issue of salience 20. The interval is the 95 % interval of the mean over the samples (paired draws).',
  'opp.focal': 'Actor (those the model offers levers to)',
  'opp.levers': '{n} levers',
  'opp.samples': 'Samples',
  'opp.max': 'Largest combination',
  'opp.loss': 'Loss',
  'opp.loss.linear': 'linear',
  'opp.loss.quadratic': 'quadratic',
  'opp.run': 'Run the search',
  'opp.needtoken': 'Enter a token (top right) to run a search; the latest stored search for the actor is shown below.',
  'opp.none': 'No search for this actor has been run on this server yet.',
  'opp.meta': 'Search for {focal} in scenario {scenario}: {method}, {evaluated} combinations evaluated, {samples} samples each, seed {seed}, loss {loss}.',
  'opp.partial': 'The search was stopped before the end: the lists hold what was evaluated.',
  'opp.singles': 'Single levers',
  'opp.pairs': 'Pairs of levers',
  'opp.triples': 'Triples of levers',
  'opp.nocombo': 'None evaluated (raise the largest combination).',
  'opp.chart': 'ΔU of each single lever for {focal}, with its 95 % interval',
  'opp.axis': 'ΔU (change of expected utility; see above)',
  'opp.mark': '{levers}: ΔU {du} (95 % interval {lo} … {hi})',
  'opp.col.rank': '#',
  'opp.col.levers': 'Levers',
  'opp.col.du': 'ΔU',
  'opp.col.lo': '95 % low',
  'opp.col.hi': '95 % high',
  'opp.col.moves': 'Issues moved (mean shift, points)',
  'opp.col.shifts': 'What the levers change',
  'opp.col.others': 'Others gaining most (ΔU)',
});
addStrings('ru', {
  'opp.title': 'Возможности',
  'opp.heading': 'Возможности: какие ходы выгоднее участнику',
  'opp.intro': 'Поиск включает каждый рычаг участника, затем их сочетания, и измеряет, что прогнозные исходы базового сценария тогда дают участнику — на одних и тех же выборках Монте-Карло с рычагами и без них.',
  'opp.unit': 'ΔU — изменение ожидаемой полезности участника. Полезность — сумма по вопросам, где у него есть интерес, величин −(значимость ÷ 100) × (расстояние между исходом и его позицией ÷ 100) (линейные потери; квадратичные возводят расстояние в квадрат). Так, ΔU = +0,01 равно сдвигу исхода на одну точку шкалы 0–100 к его позиции по вопросу значимости 100 или на пять точек по вопросу значимости 20. Интервал — 95-процентный интервал среднего по выборкам (парные выборки).',
  'opp.focal': 'Участник (те, кому модель предлагает рычаги)',
  'opp.levers': 'рычагов: {n}',
  'opp.samples': 'Выборок',
  'opp.max': 'Наибольшее сочетание',
  'opp.loss': 'Потери',
  'opp.loss.linear': 'линейные',
  'opp.loss.quadratic': 'квадратичные',
  'opp.run': 'Запустить поиск',
  'opp.needtoken': 'Введите токен (вверху справа), чтобы запустить поиск; ниже — последний сохранённый поиск для участника.',
  'opp.none': 'Поиск для этого участника на сервере ещё не запускался.',
  'opp.meta': 'Поиск для {focal} в сценарии {scenario}: {method}, оценено сочетаний: {evaluated}, выборок на каждое: {samples}, зерно {seed}, потери: {loss}.',
  'opp.partial': 'Поиск остановлен до конца: списки содержат то, что успели оценить.',
  'opp.singles': 'Отдельные рычаги',
  'opp.pairs': 'Пары рычагов',
  'opp.triples': 'Тройки рычагов',
  'opp.nocombo': 'Не оценивались (увеличьте наибольшее сочетание).',
  'opp.chart': 'ΔU каждого отдельного рычага для {focal} с 95-процентным интервалом',
  'opp.axis': 'ΔU (изменение ожидаемой полезности; см. выше)',
  'opp.mark': '{levers}: ΔU {du} (95-процентный интервал {lo} … {hi})',
  'opp.col.rank': '№',
  'opp.col.levers': 'Рычаги',
  'opp.col.du': 'ΔU',
  'opp.col.lo': '95 %: мин.',
  'opp.col.hi': '95 %: макс.',
  'opp.col.moves': 'Сдвиг исходов (в среднем, точек)',
  'opp.col.shifts': 'Что меняют рычаги',
  'opp.col.others': 'Кто ещё выигрывает (ΔU)',
});

const du = (v) => (v == null ? '—' : `${v >= 0 ? '+' : ''}${Number(v).toFixed(4)}`);

export default {
  id: 'opportunities',
  titleKey: 'opp.title',
  async render(root, ctx) {
    const [focals, model] = await Promise.all([api('/api/model/focal-actors'), api('/api/model')]);
    if (!ctx.isCurrent()) return;
    const leverNames = new Map(model.levers.map((l) => [l.id, l.name]));
    const ids = focals.actors.map((a) => a.id);
    const chosen = ids.includes(ctx.params[0]) ? ctx.params[0] : (ids.includes(focals.default) ? focals.default : ids[0]);

    root.append(el('h1', { text: t('opp.heading') }), el('p', { text: t('opp.intro') }),
      el('p', { class: 'notice', id: 'opp-unit', text: t('opp.unit') }));
    const focal = el('select', { id: 'opp-focal', onchange: () => ctx.navigate(`#/opportunities/${encodeURIComponent(focal.value)}`) },
      focals.actors.map((a) => el('option', {
        value: a.id, selected: a.id === chosen,
        text: `${a.id} — ${localName(a.name) || a.id} (${t('opp.levers', { n: a.levers.length })})`,
      })));
    const samples = el('input', { type: 'number', id: 'opp-samples', min: 1, max: 100000, value: 500 });
    const maxLevers = el('select', { id: 'opp-max' }, [1, 2, 3].map((n) => el('option', { value: n, selected: n === 3, text: String(n) })));
    const loss = el('select', { id: 'opp-loss' }, ['linear', 'quadratic'].map((l) => el('option', { value: l, text: t(`opp.loss.${l}`) })));
    const progress = el('div', { id: 'opp-progress' });
    const out = el('div', { id: 'opp-result' });
    const runBtn = el('button', {
      type: 'button', class: 'primary', id: 'opp-run', text: t('opp.run'),
      onclick: async () => {
        runBtn.disabled = true;
        try {
          const id = await startRun({
            kind: 'opportunities', focal: focal.value, samples: Number(samples.value),
            max_levers: Number(maxLevers.value), loss: loss.value,
          });
          const run = await followRun(id, progress, ctx.isCurrent);
          if (run.status === 'done' && ctx.isCurrent()) draw(run.result);
        } catch (e) {
          showError(e);
        } finally {
          runBtn.disabled = false;
        }
      },
    });
    const controls = [labelled(t('opp.focal'), focal)];
    if (getToken()) {
      controls.push(labelled(t('opp.samples'), samples), labelled(t('opp.max'), maxLevers), labelled(t('opp.loss'), loss), runBtn);
    }
    root.append(el('section', { class: 'panel' }, el('div', { class: 'row' }, controls),
      getToken() ? progress : el('p', { id: 'opp-need-token', text: t('opp.needtoken') })), out);

    const leverText = (c) => c.levers.map((id) => `${leverNames.get(id) || id} (${id})`).join(' + ');
    function candidates(id, list, filename) {
      return table({
        id, filename, rows: list,
        columns: [
          { key: 'rank', label: t('opp.col.rank'), num: true, value: (c) => list.indexOf(c) + 1 },
          { key: 'levers', label: t('opp.col.levers'), value: leverText },
          { key: 'delta_utility', label: t('opp.col.du'), num: true, format: du },
          { key: 'lo', label: t('opp.col.lo'), num: true, value: (c) => c.interval[0], format: du },
          { key: 'hi', label: t('opp.col.hi'), num: true, value: (c) => c.interval[1], format: du },
          {
            key: 'issues', label: t('opp.col.moves'),
            value: (c) => c.issues.slice(0, 4).map((m) => `${m.issue} ${m.mean_shift >= 0 ? '+' : ''}${num(m.mean_shift)}`).join('; '),
          },
          { key: 'shifts', label: t('opp.col.shifts'), value: (c) => c.shifts.join('; ') },
          {
            key: 'others', label: t('opp.col.others'),
            value: (c) => c.others.slice(0, 3).map((o) => `${o.actor} ${du(o.delta_utility)}`).join('; '),
          },
        ],
      });
    }
    function draw(r) {
      clear(out);
      const s = r.settings;
      out.append(el('p', {
        id: 'opp-meta',
        text: t('opp.meta', {
          focal: s.focal, scenario: r.scenario, method: r.method, evaluated: r.evaluated,
          samples: r.run.samples, seed: r.run.seed, loss: t(`opp.loss.${s.loss}`),
        }),
      }));
      if (r.partial) out.append(el('p', { class: 'notice', text: t('opp.partial') }));
      const lim = Math.max(1e-4, ...r.singles.flatMap((c) => [Math.abs(c.interval[0]), Math.abs(c.interval[1])]));
      const rows = r.singles.map((c) => ({
        label: leverNames.get(c.levers[0]) || c.levers[0],
        value: c.delta_utility, lo: c.interval[0], hi: c.interval[1],
        shape: c.delta_utility >= 0 ? 'circle' : 'triangle',
        cls: c.delta_utility >= 0 ? null : 'outside',
        title: t('opp.mark', { levers: leverText(c), du: du(c.delta_utility), lo: du(c.interval[0]), hi: du(c.interval[1]) }),
      }));
      out.append(el('figure', { class: 'chart-figure', id: 'opp-chart' },
        rangeChart({
          rows, domain: [-lim * 1.05, lim * 1.05], xLabel: t('opp.axis'), label: t('opp.chart', { focal: s.focal }),
          refs: [{ at: 0, label: '0', kind: 'sq' }], fmt: (v) => Number(v).toFixed(3),
        }),
        el('figcaption', { text: t('opp.chart', { focal: s.focal }) })));
      out.append(el('h2', { text: t('opp.singles') }), candidates('opp-singles', r.singles, `${s.focal}-levers.csv`));
      const bySize = (n) => r.combinations.filter((c) => c.levers.length === n);
      for (const [n, key, id] of [[2, 'opp.pairs', 'opp-pairs'], [3, 'opp.triples', 'opp-triples']]) {
        out.append(el('h2', { text: t(key) }));
        const list = bySize(n);
        out.append(list.length ? candidates(id, list, `${s.focal}-${id.slice(4)}.csv`) : el('p', { id, text: t('opp.nocombo') }));
      }
    }
    const last = await latestRun((r) => r.kind === 'opportunities' && isBaseline(r) && (r.settings.focal || focals.default) === chosen);
    if (!ctx.isCurrent()) return;
    if (last && last.result) draw(last.result);
    else out.append(el('p', { id: 'opp-none', text: t('opp.none') }));
  },
};
