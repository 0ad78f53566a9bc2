// Influence by sphere: who accounts for the baseline's outcomes (Shapley
// shares of the displacement from the status quo, summed by sphere) and the
// members' voting power under consensus and two alternatives — an
// `influence` run (accord_analysis::influence::influence, as `accord
// influence`).
import { t, addStrings, localName } from '../i18n.js';
import { el, clear, num, pct, labelled } from '../lib/dom.js';
import { api, getToken, showError } from '../lib/api.js';
import { table } from '../lib/table.js';
import { rangeChart } from '../lib/chart.js';
import { startRun, followRun, latestRun, isBaseline } from '../lib/runs.js';

addStrings('en', {
  'inf.title': 'Influence',
  'inf.heading': 'Influence by sphere',
  'inf.intro': 'Each issue’s forecast (at the inputs’ point values) moves the outcome away from the status quo. The Shapley value splits that displacement among the actors at the table; an actor’s share in a sphere is the sum of its values on the sphere’s issues, signed by the direction each outcome moved, divided by the sphere’s total displacement. The shares of a sphere sum to 100 %; a negative share held the outcomes back.',
  'inf.run': 'Compute for the baseline',
  'inf.needtoken': 'Enter a token (top right) to compute; the latest stored result is shown below.',
  'inf.none': 'Influence has not been computed on this server yet.',
  'inf.sphere': 'Sphere',
  'inf.chart': 'Shares of the displacement in {sphere} (total displacement {d} points)',
  'inf.axis': 'share of the sphere’s displacement (%)',
  'inf.mark': '{actor} in {sphere}: {share} of {d} points of displacement',
  'inf.shares': 'Shares in every sphere',
  'inf.power': 'Voting power of the members',
  'inf.power.hint': 'Shapley–Shubik and normalised Banzhaf indices sum to 1 over the voters; the absolute Banzhaf index is the chance that a voter’s vote decides; passage is the share of all coalitions that win (how easily the body can act at all).',
  'inf.meta': 'Scenario {scenario}: {n} issues attributed.',
  'inf.col.sphere': 'Sphere',
  'inf.col.actor': 'Actor',
  'inf.col.name': 'Name',
  'inf.col.share': 'Share',
  'inf.col.displacement': 'Sphere displacement (points)',
  'inf.col.rule': 'Rule',
  'inf.col.voter': 'Voter',
  'inf.col.ss': 'Shapley–Shubik',
  'inf.col.bz': 'Banzhaf',
  'inf.col.bza': 'Banzhaf (absolute)',
  'inf.col.passage': 'Passage',
});
addStrings('ru', {
  'inf.title': 'Влияние',
  'inf.heading': 'Влияние по сферам',
  'inf.intro': 'Прогноз по каждому вопросу (при точечных значениях входных данных) сдвигает исход от статус-кво. Значение Шепли делит этот сдвиг между участниками за столом переговоров; доля участника в сфере — сумма его значений по вопросам сферы с учётом направления сдвига, делённая на общий сдвиг в сфере. Доли в сфере в сумме дают 100 %; отрицательная доля сдерживала исходы.',
  'inf.run': 'Рассчитать для базового сценария',
  'inf.needtoken': 'Введите токен (вверху справа), чтобы рассчитать; ниже — последний сохранённый результат.',
  'inf.none': 'Влияние на этом сервере ещё не рассчитывалось.',
  'inf.sphere': 'Сфера',
  'inf.chart': 'Доли сдвига в сфере «{sphere}» (общий сдвиг {d} точек)',
  'inf.axis': 'доля сдвига в сфере (%)',
  'inf.mark': '{actor}, сфера «{sphere}»: {share} от сдвига в {d} точек',
  'inf.shares': 'Доли во всех сферах',
  'inf.power': 'Сила голоса членов',
  'inf.power.hint': 'Индексы Шепли–Шубика и нормированный индекс Банцафа в сумме по голосующим дают 1; абсолютный индекс Банцафа — вероятность того, что голос решает; «принятие» — доля всех коалиций, которые побеждают (насколько легко органу вообще действовать).',
  'inf.meta': 'Сценарий {scenario}: вопросов: {n}.',
  'inf.col.sphere': 'Сфера',
  'inf.col.actor': 'Участник',
  'inf.col.name': 'Название',
  'inf.col.share': 'Доля',
  'inf.col.displacement': 'Сдвиг в сфере (точек)',
  'inf.col.rule': 'Правило',
  'inf.col.voter': 'Голосующий',
  'inf.col.ss': 'Шепли–Шубик',
  'inf.col.bz': 'Банцаф',
  'inf.col.bza': 'Банцаф (абсолютный)',
  'inf.col.passage': 'Принятие',
});

export default {
  id: 'influence',
  titleKey: 'inf.title',
  async render(root, ctx) {
    const model = await api('/api/model');
    if (!ctx.isCurrent()) return;
    const names = new Map(model.actors.map((a) => [a.id, localName(a.name) || a.id]));
    const sphereName = (s) => t(`sphere.${s}`);
    root.append(el('h1', { text: t('inf.heading') }), el('p', { text: t('inf.intro') }));
    const progress = el('div', { id: 'inf-progress' });
    const out = el('div', { id: 'inf-result' });
    const runBtn = el('button', {
      type: 'button', class: 'primary', id: 'inf-run', text: t('inf.run'),
      onclick: async () => {
        runBtn.disabled = true;
        try {
          const id = await startRun({ kind: 'influence' });
          const run = await followRun(id, progress, ctx.isCurrent);
          if (run.status === 'done' && ctx.isCurrent()) draw(run.result);
        } catch (e) {
          showError(e);
        } finally {
          runBtn.disabled = false;
        }
      },
    });
    root.append(el('section', { class: 'panel' },
      getToken() ? [runBtn, progress] : el('p', { id: 'inf-need-token', text: t('inf.needtoken') })), out);

    function draw(r) {
      clear(out);
      out.append(el('p', { id: 'inf-meta', text: t('inf.meta', { scenario: r.scenario, n: r.issues.length }) }));
      const spheres = r.spheres.map((s) => s.sphere);
      const chartBox = el('div', { id: 'inf-chart' });
      const pick = el('select', { id: 'inf-sphere', onchange: () => drawSphere(pick.value) },
        spheres.map((s) => el('option', { value: s, text: sphereName(s) })));
      function drawSphere(sphere) {
        const s = r.spheres.find((x) => x.sphere === sphere);
        clear(chartBox);
        if (!s) return;
        const values = s.shares.map(([, v]) => 100 * v);
        const lo = Math.min(0, ...values);
        const hi = Math.max(0, ...values);
        const rows = s.shares.map(([a, v]) => ({
          label: `${names.get(a) || a} (${a})`,
          value: 100 * v, lo: 0, hi: 100 * v,
          shape: v >= 0 ? 'circle' : 'triangle', cls: v >= 0 ? null : 'outside',
          title: t('inf.mark', { actor: names.get(a) || a, sphere: sphereName(sphere), share: pct(v, 1), d: num(s.displacement) }),
        }));
        chartBox.append(el('figure', { class: 'chart-figure' },
          rangeChart({
            rows, domain: [lo, hi === lo ? lo + 1 : hi], xLabel: t('inf.axis'),
            label: t('inf.chart', { sphere: sphereName(sphere), d: num(s.displacement) }),
            refs: [{ at: 0, label: '0', kind: 'sq' }],
          }),
          el('figcaption', { text: t('inf.chart', { sphere: sphereName(sphere), d: num(s.displacement) }) })));
      }
      out.append(labelled(t('inf.sphere'), pick), chartBox);
      if (spheres.length) drawSphere(spheres[0]);
      const shareRows = r.spheres.flatMap((s) => s.shares.map(([actor, share]) => ({ sphere: s.sphere, actor, share, displacement: s.displacement })));
      out.append(el('h2', { text: t('inf.shares') }), table({
        id: 'inf-table', filename: `influence-${r.scenario}.csv`, rows: shareRows,
        columns: [
          { key: 'sphere', label: t('inf.col.sphere'), format: (v) => sphereName(v) },
          { key: 'actor', label: t('inf.col.actor') },
          { key: 'name', label: t('inf.col.name'), value: (x) => names.get(x.actor) || x.actor },
          { key: 'share', label: t('inf.col.share'), num: true, format: (v) => pct(v, 1) },
          { key: 'displacement', label: t('inf.col.displacement'), num: true, format: (v) => num(v) },
        ],
      }));
      const powerRows = r.power.flatMap((p) => p.voters.map((v, i) => ({
        rule: p.rule, voter: v,
        ss: p.indices.shapley_shubik[i], bz: p.indices.banzhaf[i], bza: p.indices.banzhaf_absolute[i], passage: p.passage,
      })));
      out.append(el('h2', { text: t('inf.power') }), el('p', { class: 'hint', text: t('inf.power.hint') }), table({
        id: 'inf-power', filename: `voting-power-${r.scenario}.csv`, rows: powerRows,
        columns: [
          { key: 'rule', label: t('inf.col.rule') },
          { key: 'voter', label: t('inf.col.voter'), format: (v) => `${names.get(v) || v} (${v})` },
          { key: 'ss', label: t('inf.col.ss'), num: true, format: (v) => num(v, 3) },
          { key: 'bz', label: t('inf.col.bz'), num: true, format: (v) => num(v, 3) },
          { key: 'bza', label: t('inf.col.bza'), num: true, format: (v) => num(v, 3) },
          { key: 'passage', label: t('inf.col.passage'), num: true, format: (v) => num(v, 3) },
        ],
      }));
    }
    const last = await latestRun((r) => r.kind === 'influence' && isBaseline(r));
    if (!ctx.isCurrent()) return;
    if (last && last.result) draw(last.result);
    else out.append(el('p', { id: 'inf-none', text: t('inf.none') }));
  },
};
