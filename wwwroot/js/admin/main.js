// The room-admin page: list, create, change and close rooms, kick members, post system messages; bridges (bridges.js).
import { h, byId, replaceChildren } from '../shared/dom.js';
import { formatFull, formatTime, sameDay, colorSlot, initials, viaLabels } from '../shared/format.js';
import { api, adminKey, room as roomPath } from './api.js';
import { say, fail, handle } from './feedback.js';
import { startBridges } from './bridges.js';

let rooms = [];
let selected = null;

// ---- the key ----------------------------------------------------------------------------------------------------

const keyInput = byId('key-input');

function renderKey() {
  const set = Boolean(adminKey.get());
  say('key-status', set ? 'A key is set for this tab.' : 'No key set.', set ? 'ok' : 'muted');
  byId('key-forget').hidden = !set;
}

handle('key-form', 'key-status', async () => {
  adminKey.set(keyInput.value.trim());
  keyInput.value = '';
  renderKey();
});

byId('key-forget').addEventListener('click', () => {
  adminKey.set('');
  renderKey();
  keyInput.focus();
});

// ---- rooms ------------------------------------------------------------------------------------------------------

async function loadRooms() {
  try {
    rooms = await api('GET', '/api/rooms');
    say('rooms-status', '');
  } catch (error) {
    fail('rooms-status')(error);
  }
  renderRooms();
  if (selected) {
    const fresh = rooms.find((r) => r.name === selected.name);
    if (fresh) {
      selected = fresh;
      renderDetail();
    } else {
      closeDetail();
    }
  }
}

function renderRooms() {
  const body = byId('rooms-body');
  if (rooms.length === 0) {
    replaceChildren(body, h('tr', {}, h('td', { colspan: 6, class: 'empty', text: 'No rooms.' })));
    return;
  }
  replaceChildren(body, rooms.map((r) =>
    h('tr', { class: selected?.name === r.name ? 'is-selected' : null, dataset: { room: r.name } },
      h('th', { scope: 'row', class: 'room-name', text: `#${r.name}` }),
      h('td', { class: r.topic ? 'topic' : 'topic is-empty', text: r.topic ?? '—' }),
      h('td', { class: 'num', text: String(r.members) }),
      h('td', { class: 'num', text: r.maxMembers === null ? '—' : String(r.maxMembers) }),
      h('td', { class: 'created' }, h('time', { datetime: r.createdAt, text: formatFull(new Date(r.createdAt)) })),
      h('td', { class: 'actions' },
        h('button', {
          class: 'button button-small',
          type: 'button',
          'aria-label': `Manage #${r.name}`,
          text: 'Manage',
          onclick: () => select(r),
        })))));
}

byId('rooms-refresh').addEventListener('click', () => void loadRooms());

handle('create-form', 'create-status', async () => {
  const name = byId('create-name').value.trim();
  const topic = byId('create-topic').value.trim();
  const max = byId('create-max').value.trim();
  const created = await api('POST', '/api/rooms', {
    name,
    topic: topic || null,
    maxMembers: max ? Number(max) : null,
  });
  say('create-status', `Created #${created.name}.`);
  byId('create-form').reset();
  await loadRooms();
  select(created);
});

// ---- one room ---------------------------------------------------------------------------------------------------

function select(r) {
  selected = r;
  renderRooms();
  renderDetail();
  for (const id of ['patch-status', 'post-status', 'members-status', 'close-status']) {
    say(id, '');
  }
  byId('detail').hidden = false;
  byId('detail').scrollIntoView({ block: 'nearest' });
  byId('patch-topic').focus();
  void loadMembers();
}

function closeDetail() {
  selected = null;
  byId('detail').hidden = true;
  hideClose();
  renderRooms();
}

function renderDetail() {
  byId('detail-heading').textContent = `#${selected.name}`;
  byId('patch-topic').value = selected.topic ?? '';
  byId('patch-max').value = selected.maxMembers ?? '';
  const lobby = selected.name === 'lobby';
  byId('close-start').hidden = lobby;
  byId('close-text').textContent = lobby
    ? 'The lobby is where everyone arrives; it cannot be closed.'
    : 'Members are told and removed; the room and its history are deleted.';
  byId('close-confirm').textContent = `Close #${selected.name}`;
}

byId('detail-close').addEventListener('click', closeDetail);

handle('patch-form', 'patch-status', async () => {
  const max = byId('patch-max').value.trim();
  selected = await api('PATCH', roomPath(selected.name), {
    topic: byId('patch-topic').value.trim() || null,
    maxMembers: max ? Number(max) : null,
  });
  say('patch-status', 'Saved. Members were told.');
  await loadRooms();
});

handle('post-form', 'post-status', async () => {
  const from = byId('post-from').value.trim();
  const message = await api('POST', `${roomPath(selected.name)}/messages`, {
    from: from || null,
    text: byId('post-text').value,
  });
  byId('post-text').value = '';
  say('post-status', `Posted as ${message.from} (message ${message.id}).`);
});

async function loadMembers() {
  const name = selected.name;
  try {
    const members = await api('GET', `${roomPath(name)}/members`);
    if (selected?.name === name) {
      renderMembers(members);
    }
  } catch (error) {
    fail('members-status')(error);
  }
}

function renderMembers(members) {
  const list = byId('detail-members');
  if (members.length === 0) {
    replaceChildren(list, h('li', { class: 'empty', text: 'Nobody is in this room.' }));
    return;
  }
  replaceChildren(list, members.map((m) =>
    h('li', { class: 'admin-member', dataset: { nick: m.nick } },
      h('span', { class: `avatar avatar-sm nick-bg${colorSlot(m.nick)}`, 'aria-hidden': 'true', text: initials(m.nick) }),
      h('span', { class: 'member-nick', text: m.nick }),
      h('span', { class: `via via-${m.via}`, title: viaLabels[m.via] ?? m.via, text: m.via }),
      h('time', { class: 'member-since', datetime: m.connectedAt, title: formatFull(new Date(m.connectedAt)), text: `since ${since(new Date(m.connectedAt))}` }),
      h('button', {
        class: 'button button-small button-danger-outline',
        type: 'button',
        'aria-label': `Kick ${m.nick} from #${selected.name}`,
        text: 'Kick',
        onclick: () => void kick(m.nick),
      }))));
}

const since = (date) => (sameDay(date, new Date()) ? formatTime(date) : formatFull(date));

async function kick(nick) {
  try {
    await api('DELETE', `${roomPath(selected.name)}/members/${encodeURIComponent(nick)}`);
    say('members-status', `${nick} was removed from #${selected.name}.`);
    await loadMembers();
    await loadRooms();
  } catch (error) {
    fail('members-status')(error);
  }
}

function hideClose() {
  byId('close-form').hidden = true;
  byId('close-start').hidden = selected?.name === 'lobby';
}

byId('close-start').addEventListener('click', () => {
  byId('close-form').hidden = false;
  byId('close-start').hidden = true;
  byId('close-reason').focus();
});
byId('close-cancel').addEventListener('click', () => {
  hideClose();
  byId('close-start').focus();
});

handle('close-form', 'close-status', async () => {
  const name = selected.name;
  const reason = byId('close-reason').value.trim();
  await api('DELETE', roomPath(name) + (reason ? `?reason=${encodeURIComponent(reason)}` : ''));
  byId('close-reason').value = '';
  closeDetail();
  say('rooms-status', `Closed #${name}.`);
  await loadRooms();
  say('rooms-status', `Closed #${name}.`);
});

renderKey();
void loadRooms();
startBridges();
