// Runs: start one, follow its progress with a <progress> bar, and find the
// latest stored run of a kind. Reading runs needs no token (unless the
// server is private); starting one does.
import { t, addStrings } from '../i18n.js';
import { el } from './dom.js';
import { api } from './api.js';

addStrings('en', {
  'run.status': 'Run {id}: {status}',
  'run.progress': 'Progress of run {id}',
  'run.status.queued': 'queued',
  'run.status.running': 'running',
  'run.status.done': 'done',
  'run.status.failed': 'failed',
  'run.status.cancelled': 'cancelled',
  'run.status.interrupted': 'interrupted',
  'run.cancel': 'Cancel',
});
addStrings('ru', {
  'run.status': 'Расчёт {id}: {status}',
  'run.progress': 'Ход расчёта {id}',
  'run.status.queued': 'в очереди',
  'run.status.running': 'идёт',
  'run.status.done': 'готово',
  'run.status.failed': 'ошибка',
  'run.status.cancelled': 'отменён',
  'run.status.interrupted': 'прерван',
  'run.cancel': 'Отменить',
});

/** The text of a run's status. */
export function statusText(s) {
  return t(`run.status.${s}`);
}

/** Queues a run: `body` as `POST /api/runs` takes it; → its id. */
export async function startRun(body) {
  const r = await api('/api/runs', { method: 'POST', body });
  return r.id;
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/**
 * Follows run `id` until it ends, showing a progress bar in `box` (emptied
 * first); → the final run JSON (with `result`). `alive()` false stops
 * following (the page was left).
 */
export async function followRun(id, box, alive = () => true) {
  const bar = el('progress', { max: 1, value: 0, id: 'run-progress', 'aria-label': t('run.progress', { id }) });
  const text = el('span', { class: 'run-status', role: 'status', text: t('run.status', { id, status: statusText('queued') }) });
  const cancel = el('button', {
    type: 'button', text: t('run.cancel'),
    onclick: async () => {
      cancel.disabled = true;
      await api(`/api/runs/${id}`, { method: 'DELETE' }).catch(() => {});
    },
  });
  box.replaceChildren(el('div', { class: 'run-follow' }, bar, el('div', { class: 'row' }, text, cancel)));
  let delay = 150;
  for (;;) {
    const run = await api(`/api/runs/${id}`);
    bar.value = run.progress ?? 0;
    bar.textContent = `${Math.round(100 * (run.progress ?? 0))} %`;
    text.textContent = `${t('run.status', { id, status: statusText(run.status) })} — ${Math.round(100 * (run.progress ?? 0))} %`;
    if (!['queued', 'running'].includes(run.status)) {
      cancel.remove();
      if (run.error) text.textContent += ` — ${run.error}`;
      return run;
    }
    if (!alive()) return run;
    await sleep(delay);
    delay = Math.min(1000, delay * 1.5);
  }
}

/** The latest finished run for which `pick(run)` holds (from the 100 latest), with its result. */
export async function latestRun(pick) {
  const runs = await api('/api/runs');
  const found = runs.find((r) => r.status === 'done' && pick(r));
  return found ? api(`/api/runs/${found.id}`) : null;
}

/** Whether a run was of the embedded baseline. */
export function isBaseline(run) {
  return run.settings && run.settings.scenario && run.settings.scenario.from === 'baseline';
}
