// The admin page's bridges: list them with their state (kept fresh while the page is visible), add one, remove one.
import { h, byId, replaceChildren } from '../shared/dom.js';
import { formatFull, sameDay } from '../shared/format.js';
import { api, bridge as bridgePath } from './api.js';
import { say, fail, handle } from './feedback.js';

// A bridge's state changes on its own (a service goes away, a backoff ends): the list is read again this often.
const REFRESH_MS = 3000;

const stateLabels = {
  connecting: 'Connecting',
  up: 'Up',
  down: 'Down',
  reconnecting: 'Reconnecting',
};

let timer = null;

async function loadBridges() {
  try {
    render(await api('GET', '/api/bridges'));
    if (byId('bridges-status').dataset.tone === 'error') {
      say('bridges-status', '');
    }
  } catch (error) {
    fail('bridges-status')(error);
  }
}

// Waits between attempts are seconds long: times show seconds.
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

const when = (iso) => {
  const date = new Date(iso);
  return sameDay(date, new Date()) ? clock.format(date) : formatFull(date);
};

const target = (b) => (b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`);

const bytes = (n) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`);

function render(bridges) {
  const body = byId('bridges-body');
  if (bridges.length === 0) {
    replaceChildren(body, h('tr', {}, h('td', { colspan: 5, class: 'empty', text: 'No bridges.' })));
    return;
  }
  replaceChildren(body, bridges.map((b) =>
    h('tr', { dataset: { bridge: b.id, state: b.state } },
      h('th', { scope: 'row', class: 'room-name' },
        `#${b.room}`,
        h('span', { class: 'bridge-nick', text: ` as ${b.nick}` })),
      h('td', { class: 'bridge-target' },
        h('code', { text: target(b) }),
        h('span', { class: 'bridge-framing', text: b.framing })),
      h('td', { class: 'bridge-state' },
        h('span', { class: `state state-${b.state}`, text: stateLabels[b.state] ?? b.state }),
        h('time', { class: 'bridge-since', datetime: b.since, title: formatFull(new Date(b.since)), text: ` since ${when(b.since)}` }),
        b.lastError ? h('p', { class: 'bridge-error', text: b.lastError }) : null,
        b.state === 'down' && b.nextAttemptAt ? h('p', { class: 'bridge-retry', text: `next attempt at ${when(b.nextAttemptAt)}` }) : null),
      h('td', { class: 'num bridge-traffic', title: `${b.skipped} frames skipped, cut off ${b.cutOffs} times` },
        `${b.framesIn} in · ${b.framesOut} out`,
        h('span', { class: 'bridge-bytes', text: `${bytes(b.bytesIn)} · ${bytes(b.bytesOut)}` })),
      h('td', { class: 'actions' },
        h('button', {
          class: 'button button-small button-danger-outline',
          type: 'button',
          'aria-label': `Remove the bridge of #${b.room} to ${target(b)}`,
          text: 'Remove',
          onclick: () => void remove(b),
        })))));
}

async function remove(b) {
  try {
    await api('DELETE', bridgePath(b.id));
    say('bridges-status', `Removed the bridge of #${b.room} to ${target(b)}.`);
    await loadBridges();
  } catch (error) {
    fail('bridges-status')(error);
  }
}

function schedule() {
  clearInterval(timer);
  timer = document.hidden ? null : setInterval(() => void loadBridges(), REFRESH_MS);
}

export function startBridges() {
  byId('bridges-refresh').addEventListener('click', () => void loadBridges());
  handle('bridge-form', 'bridge-form-status', async () => {
    const port = byId('bridge-port').value.trim();
    const created = await api('POST', '/api/bridges', {
      room: byId('bridge-room').value.trim(),
      nick: byId('bridge-nick').value.trim(),
      host: byId('bridge-host').value.trim(),
      port: port ? Number(port) : null,
      framing: byId('bridge-framing').value,
    });
    say('bridge-form-status', `Added: #${created.room} ↔ ${target(created)} as ${created.nick}.`);
    byId('bridge-form').reset();
    await loadBridges();
  });
  document.addEventListener('visibilitychange', () => {
    schedule();
    if (!document.hidden) {
      void loadBridges();
    }
  });
  schedule();
  void loadBridges();
}
