// Organization: the statuses of every state on a day chosen with a slider,
// the membership timeline, the bodies on that day, and what was declared
// against what was carried out.
import { t, addStrings, localName } from '../i18n.js';
import { el, clear, labelled } from '../lib/dom.js';
import { api, showError } from '../lib/api.js';
import { table } from '../lib/table.js';
import { timelineChart } from '../lib/chart.js';

addStrings('en', {
  'org.title': 'Organization',
  'org.heading': '{org}: the record',
  'org.org': 'Organization',
  'org.date': 'Date',
  'org.date.type': 'Or type a date',
  'org.date.hint': 'Drag, or use the arrow keys (one day) and Page Up/Down (one month); or type a date.',
  'org.statuses': 'Statuses on {date}',
  'org.timeline': 'Membership timeline',
  'org.timeline.axis': 'Year',
  'org.bodies': 'Bodies on {date}',
  'org.gap': 'Declared and carried out, as of {date}',
  'org.gap.note': 'Instruments counted by the furthest stage they reached by that day; stalled = signed or adopted but never in force or carried out.',
  'col.actor': 'Code',
  'col.name': 'Name',
  'col.status': 'Status',
  'col.since': 'Since',
  'col.votes': 'Votes',
  'col.body': 'Body',
  'col.kind': 'Kind',
  'col.sphere': 'Sphere',
  'col.entries': 'Entries',
  'col.proposed': 'Proposed',
  'col.signed': 'Signed',
  'col.in_force': 'In force',
  'col.carried_out': 'Carried out',
  'col.stalled': 'Stalled',
  'col.rejected': 'Rejected',
  'yes': 'yes',
  'no': 'no',
  'all': 'all spheres',
  'status.member': 'member',
  'status.observer': 'observer',
  'status.dialogue_partner': 'dialogue partner',
  'status.partner': 'partner',
  'status.guest': 'guest',
  'status.active': 'active',
  'status.merged': 'merged',
  'status.dissolved': 'dissolved',
  'status.proposed': 'proposed',
  'org.span': '{name}: {status} from {from} to {to}',
  'org.now': 'now',
});
addStrings('ru', {
  'org.title': 'Организация',
  'org.heading': '{org}: хроника',
  'org.org': 'Организация',
  'org.date': 'Дата',
  'org.date.type': 'Или введите дату',
  'org.date.hint': 'Перетащите ползунок или используйте стрелки (день) и Page Up/Down (месяц); или введите дату.',
  'org.statuses': 'Статусы на {date}',
  'org.timeline': 'Хронология членства',
  'org.timeline.axis': 'Год',
  'org.bodies': 'Органы на {date}',
  'org.gap': 'Заявлено и выполнено на {date}',
  'org.gap.note': 'Документы учтены по последней стадии, достигнутой к этой дате; «застряло» — подписано или принято, но не вступило в силу и не выполнено.',
  'col.actor': 'Код',
  'col.name': 'Название',
  'col.status': 'Статус',
  'col.since': 'С',
  'col.votes': 'Голос',
  'col.body': 'Орган',
  'col.kind': 'Вид',
  'col.sphere': 'Сфера',
  'col.entries': 'Записей',
  'col.proposed': 'Предложено',
  'col.signed': 'Подписано',
  'col.in_force': 'В силе',
  'col.carried_out': 'Выполнено',
  'col.stalled': 'Застряло',
  'col.rejected': 'Отклонено',
  'yes': 'да',
  'no': 'нет',
  'all': 'все сферы',
  'status.member': 'член',
  'status.observer': 'наблюдатель',
  'status.dialogue_partner': 'партнёр по диалогу',
  'status.partner': 'партнёр',
  'status.guest': 'гость',
  'status.active': 'действует',
  'status.merged': 'слит',
  'status.dissolved': 'упразднён',
  'status.proposed': 'предложен',
  'org.span': '{name}: {status} с {from} по {to}',
  'org.now': 'сейчас',
});

const DAY = 86400000;
const STATUS_ORDER = ['member', 'observer', 'dialogue_partner', 'partner', 'guest'];

/** A record date ("2001", "2001-06", "2001-06-15") as its first day (UTC). */
function firstDay(s) {
  const [y, m = '01', d = '01'] = String(s).split('-');
  return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
}

function iso(date) {
  return date.toISOString().slice(0, 10);
}

function statusText(s) {
  return t(`status.${s}`) === `status.${s}` ? s : t(`status.${s}`);
}

export default {
  id: 'organization',
  titleKey: 'org.title',
  async render(root, ctx) {
    const org = ctx.params[0] || 'SCO';
    const heading = el('h1', { text: t('org.heading', { org }) });
    root.append(heading);
    const [memberships, model, orgEntry] = await Promise.all([
      api(`/api/record/timeline?org=${encodeURIComponent(org)}`),
      api('/api/model').catch(() => null),
      api(`/api/record/show?id=${encodeURIComponent(org)}`).catch(() => null),
    ]);
    if (!ctx.isCurrent()) return;
    if (orgEntry && orgEntry.name) heading.textContent = t('org.heading', { org: localName(orgEntry.name) });
    // Names in the chosen language where the record gives them (the model's
    // actors); the status answers give the English name of the others.
    const localNames = new Map(((model && model.actors) || []).map((a) => [a.id, localName(a.name)]));
    const names = new Map();
    // Names come with the status answers; fill them as they arrive.
    const today = new Date(Date.UTC(new Date().getFullYear(), new Date().getMonth(), new Date().getDate()));
    const starts = memberships.map((m) => firstDay(m.from).getTime());
    const start = new Date(starts.length ? Math.min(...starts) : today.getTime() - 3650 * DAY);
    const span = Math.round((today - start) / DAY);
    const stored = ctx.params[1] && /^\d{4}-\d{2}-\d{2}$/.test(ctx.params[1]) ? firstDay(ctx.params[1]) : null;
    let at = stored && stored >= start && stored <= today ? stored : today;

    const slider = el('input', {
      type: 'range', min: 0, max: span, step: 1, value: Math.round((at - start) / DAY),
      id: 'org-date-slider',
    });
    const dateBox = el('input', { type: 'date', id: 'org-date', min: iso(start), max: iso(today), value: iso(at) });
    root.append(el('div', { class: 'panel' },
      labelled(t('org.date'), slider, t('org.date.hint')),
      labelled(t('org.date.type'), dateBox)));
    slider.setAttribute('aria-valuetext', iso(at));
    slider.addEventListener('keydown', (e) => {
      if (e.key === 'PageUp' || e.key === 'PageDown') {
        e.preventDefault();
        slider.value = String(Number(slider.value) + (e.key === 'PageUp' ? 30 : -30));
        slider.dispatchEvent(new Event('input'));
      }
    });

    const statusBox = el('section', { id: 'org-statuses', 'aria-live': 'polite' });
    const timelineBox = el('section', { id: 'org-timeline' });
    const bodiesBox = el('section', { id: 'org-bodies' });
    const gapBox = el('section', { id: 'org-gap' });
    root.append(statusBox, timelineBox, bodiesBox, gapBox);

    function drawTimeline() {
      const byActor = new Map();
      for (const m of memberships) {
        if (!byActor.has(m.actor)) byActor.set(m.actor, []);
        byActor.get(m.actor).push(m);
      }
      const kinds = STATUS_ORDER.filter((k) => memberships.some((m) => m.status === k))
        .concat([...new Set(memberships.map((m) => m.status))].filter((k) => !STATUS_ORDER.includes(k)));
      const rank = (ms) => Math.min(...ms.map((m) => firstDay(m.from).getTime()));
      const rows = [...byActor.entries()]
        .sort((a, b) => rank(a[1]) - rank(b[1]) || a[0].localeCompare(b[0]))
        .map(([actor, ms]) => {
          const name = names.get(actor) || actor;
          return {
            label: name === actor ? actor : `${name} (${actor})`,
            spans: ms.map((m) => ({
              from: firstDay(m.from),
              to: m.to ? firstDay(m.to) : null,
              kind: m.status,
              title: t('org.span', { name, status: statusText(m.status), from: m.from, to: m.to || t('org.now') }),
            })),
          };
        });
      clear(timelineBox).append(
        el('h2', { text: t('org.timeline') }),
        timelineChart({
          rows, start, end: today, at,
          kinds: kinds.map((k) => ({ kind: k, label: statusText(k) })),
          xLabel: t('org.timeline.axis'),
          label: t('org.timeline'),
        }));
    }

    let seq = 0;
    async function load() {
      const mine = ++seq;
      const day = iso(at);
      const q = `org=${encodeURIComponent(org)}&at=${day}`;
      let status, bodies, gap;
      try {
        [status, bodies, gap] = await Promise.all([
          api(`/api/record/status?${q}`), api(`/api/record/bodies?${q}`), api(`/api/record/gap?${q}`),
        ]);
      } catch (e) {
        showError(e);
        return;
      }
      if (mine !== seq || !ctx.isCurrent()) return;
      for (const s of status) {
        s.name = localNames.get(s.actor) || s.name;
        names.set(s.actor, s.name);
      }
      status.sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.actor.localeCompare(b.actor));
      clear(statusBox).append(el('h2', { text: t('org.statuses', { date: day }) }), table({
        id: 'status-table',
        filename: `${org}-statuses-${day}.csv`,
        columns: [
          { key: 'actor', label: t('col.actor') },
          { key: 'name', label: t('col.name') },
          { key: 'status', label: t('col.status'), format: statusText },
          { key: 'since', label: t('col.since') },
          { key: 'votes', label: t('col.votes'), format: (v) => (v ? t('yes') : t('no')) },
        ],
        rows: status,
      }));
      clear(bodiesBox).append(el('h2', { text: t('org.bodies', { date: day }) }), table({
        id: 'bodies-table',
        filename: `${org}-bodies-${day}.csv`,
        columns: [
          { key: 'id', label: t('col.body'), value: (r) => localName(r.body.name) },
          { key: 'kind', label: t('col.kind'), value: (r) => r.body.kind },
          { key: 'sphere', label: t('col.sphere'), value: (r) => r.body.sphere ?? '' },
          { key: 'status', label: t('col.status'), format: statusText },
          { key: 'since', label: t('col.since') },
        ],
        rows: bodies,
      }));
      const n = (k) => ({ key: k, label: t(`col.${k}`), num: true });
      clear(gapBox).append(el('h2', { text: t('org.gap', { date: day }) }), el('p', { class: 'hint', text: t('org.gap.note') }), table({
        id: 'gap-table',
        filename: `${org}-gap-${day}.csv`,
        columns: [
          { key: 'sphere', label: t('col.sphere'), value: (r) => r.sphere ?? t('all') },
          n('entries'), n('proposed'), n('signed'), n('in_force'), n('carried_out'), n('stalled'), n('rejected'),
        ],
        rows: gap,
      }));
      drawTimeline();
    }

    let timer = null;
    function setDay(d, from) {
      at = new Date(Math.min(today.getTime(), Math.max(start.getTime(), d.getTime())));
      const day = iso(at);
      if (from !== 'slider') slider.value = String(Math.round((at - start) / DAY));
      if (from !== 'box') dateBox.value = day;
      slider.setAttribute('aria-valuetext', day);
      history.replaceState(null, '', `#/organization/${encodeURIComponent(org)}/${day}`);
      clearTimeout(timer);
      // Dragging fires many events: ask once the hand rests.
      timer = setTimeout(load, 120);
    }
    slider.addEventListener('input', () => setDay(new Date(start.getTime() + Number(slider.value) * DAY), 'slider'));
    dateBox.addEventListener('change', () => {
      if (/^\d{4}-\d{2}-\d{2}$/.test(dateBox.value)) setDay(firstDay(dateBox.value), 'box');
    });
    await load();
  },
};
