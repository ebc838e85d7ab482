// The left column: who I am (and changing it), joining rooms, my rooms, private conversations, other rooms.
import { h, byId, replaceChildren } from '../shared/dom.js';
import { colorSlot, initials } from '../shared/format.js';
import { describeError } from '../shared/errors.js';

export class Sidebar {
  /**
   * @param {import('./store.js').ChatStore} store
   * @param {{ setNick: Function, join: Function, open: Function }} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.roomList = byId('room-list');
    this.dmList = byId('dm-list');
    this.dmHeading = byId('dm-heading');
    this.directoryList = byId('directory-list');
    this.directoryHeading = byId('directory-heading');
    this.meNick = byId('me-nick');
    this.meAvatar = byId('me-avatar');

    this.wireNickForm();
    this.wireJoinForm();
    store.addEventListener('nick', () => this.renderMe());
    store.addEventListener('conversations', () => this.renderLists());
  }

  renderMe() {
    const { nick, account } = this.store;
    this.meNick.textContent = nick || '…';
    // Signed in, the nick is the account's: it cannot be changed here (the server would refuse it).
    byId('me-label').textContent = account ? 'Signed in as' : 'Chatting as guest';
    const accountLine = byId('me-account');
    accountLine.hidden = !account;
    accountLine.textContent = account ? `account ${account}` : '';
    byId('nick-edit').hidden = Boolean(account);
    this.meAvatar.textContent = nick ? initials(nick) : '';
    this.meAvatar.className = `avatar avatar-lg nick-bg${colorSlot(nick)}`;
  }

  wireNickForm() {
    const button = byId('nick-edit');
    const form = byId('nick-form');
    const input = byId('nick-input');
    const error = byId('nick-error');
    const close = () => {
      form.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    };
    button.addEventListener('click', () => {
      if (!form.hidden) {
        close();
        return;
      }
      form.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      input.value = this.store.nick;
      input.focus();
      input.select();
    });
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        close();
        button.focus();
      }
    });
    input.addEventListener('input', () => {
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const nick = input.value.trim();
      if (!nick || nick === this.store.nick) {
        close();
        return;
      }
      try {
        await this.actions.setNick(nick);
        close();
        button.focus();
      } catch (err) {
        error.textContent = describeError(err).text;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    });
  }

  wireJoinForm() {
    const form = byId('join-form');
    const input = byId('join-input');
    const error = byId('join-error');
    input.addEventListener('input', () => {
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const room = input.value.trim();
      if (!room) {
        input.focus();
        return;
      }
      try {
        await this.actions.join(room);
        input.value = '';
      } catch (err) {
        error.textContent = describeError(err).text;
        input.setAttribute('aria-invalid', 'true');
      }
    });
  }

  renderLists() {
    const { store } = this;
    replaceChildren(this.roomList, store.rooms.map((conv) => this.item(conv, '#', conv.name, conv.topic,
      conv.info ? `${conv.info.members} member${conv.info.members === 1 ? '' : 's'}` : null)));

    const dms = store.dms;
    this.dmHeading.hidden = dms.length === 0;
    replaceChildren(this.dmList, dms.map((conv) => this.item(conv, '@', conv.name, null, null)));

    const others = [...store.directory.values()].filter((r) => !store.room(r.name));
    this.directoryHeading.hidden = others.length === 0;
    replaceChildren(this.directoryList, others.map((room) =>
      h('li', {},
        h('button', {
          class: 'nav-item nav-item-directory',
          type: 'button',
          title: room.topic ?? undefined,
          'aria-label': `Join #${room.name}, ${room.members} member${room.members === 1 ? '' : 's'}${room.topic ? `: ${room.topic}` : ''}`,
          onclick: () => void this.actions.join(room.name).catch((err) => this.actions.notify(describeError(err).text, 'error')),
        },
        h('span', { class: 'nav-sigil', 'aria-hidden': 'true', text: '#' }),
        h('span', { class: 'nav-main' },
          h('span', { class: 'nav-name', text: room.name }),
          room.topic ? h('span', { class: 'nav-topic', text: room.topic }) : null),
        h('span', { class: 'nav-count', title: 'members', text: String(room.members) })))));
  }

  item(conv, sigil, name, topic, count) {
    const active = conv.key === this.store.activeKey;
    const unread = conv.unread > 0 ? h('span', { class: 'badge', 'aria-label': `${conv.unread} unread`, text: conv.unread > 99 ? '99+' : String(conv.unread) }) : null;
    const label = `${sigil === '#' ? `Room #${name}` : `Private conversation with ${name}`}${count ? `, ${count}` : ''}${conv.unread ? `, ${conv.unread} unread` : ''}`;
    return h('li', {},
      h('button', {
        class: `nav-item${active ? ' is-active' : ''}${conv.unread ? ' has-unread' : ''}`,
        type: 'button',
        'aria-current': active ? 'page' : undefined,
        'aria-label': label,
        dataset: { key: conv.key },
        title: topic ?? undefined,
        onclick: () => this.actions.open(conv.key),
      },
      sigil === '@'
        ? h('span', { class: `avatar avatar-xs nick-bg${colorSlot(name)}`, 'aria-hidden': 'true', text: initials(name) })
        : h('span', { class: 'nav-sigil', 'aria-hidden': 'true', text: sigil }),
      h('span', { class: 'nav-main' },
        h('span', { class: 'nav-name', text: name }),
        topic ? h('span', { class: 'nav-topic', text: topic }) : null),
      unread ?? (conv.info ? h('span', { class: 'nav-count', 'aria-hidden': 'true', text: String(conv.info.members) }) : null)));
  }
}
