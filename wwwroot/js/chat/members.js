// The member list of the room on screen, with how each member is connected; select one for a private chat.
import { h, byId, replaceChildren } from '../shared/dom.js';
import { colorSlot, initials, viaLabels } from '../shared/format.js';

export class MembersPanel {
  /** @param {import('./store.js').ChatStore} store */
  /** @param {{kick: (nick: string) => Promise<void>, ban: (nick: string) => Promise<void>}} moderate */
  constructor(store, openDm, moderate) {
    this.store = store;
    this.openDm = openDm;
    this.moderate = moderate;
    this.list = byId('member-list');
    this.heading = byId('members-heading');
    this.count = byId('members-count');
    for (const type of ['active', 'nick']) {
      store.addEventListener(type, () => this.render());
    }
    store.addEventListener('members', (e) => {
      if (e.detail.conv === store.active) {
        this.render();
      }
    });
  }

  render() {
    const conv = this.store.active;
    if (!conv) {
      this.list.replaceChildren();
      this.count.textContent = '';
      return;
    }
    let members;
    if (conv.kind === 'room') {
      members = [...conv.members.values()];
      this.heading.textContent = `Members · ${members.length}`;
    } else {
      members = [{ nick: this.store.nick, via: 'web' }, { nick: conv.name, via: this.viaOf(conv.name) }];
      this.heading.textContent = 'Private conversation';
    }
    members.sort((a, b) => Number(this.store.isMe(b.nick)) - Number(this.store.isMe(a.nick))
      || a.nick.localeCompare(b.nick, undefined, { sensitivity: 'base' }));
    this.count.textContent = conv.kind === 'room' ? String(members.length) : '';
    replaceChildren(this.list, members.map((m) => this.item(m)));
  }

  item(member) {
    const me = this.store.isMe(member.nick);
    const content = [
      h('span', { class: `avatar avatar-sm nick-bg${colorSlot(member.nick)}`, 'aria-hidden': 'true', text: initials(member.nick) }),
      h('span', { class: 'member-nick', text: member.nick }),
      me ? h('span', { class: 'member-you', text: 'you' }) : null,
      member.via ? h('span', { class: `via via-${member.via}`, title: viaLabels[member.via] ?? member.via, text: member.via }) : null,
    ];
    if (me) {
      return h('li', { class: 'member member-me', dataset: { nick: member.nick, via: member.via ?? '' } }, ...content);
    }
    const dm = h('button', {
      class: 'member',
      type: 'button',
      'aria-label': `Send a private message to ${member.nick} (${member.via ?? 'unknown'})`,
      onclick: () => this.openDm(member.nick),
    }, ...content);
    const conv = this.store.active;
    if (conv?.kind !== 'room' || !conv.moderates) {
      return h('li', { dataset: { nick: member.nick, via: member.via ?? '' } }, dm);
    }
    return h('li', { class: 'member-row', dataset: { nick: member.nick, via: member.via ?? '' } }, dm,
      h('span', { class: 'member-mod' },
        this.modButton('Kick', `Kick ${member.nick} from #${conv.name}`, () => this.moderate.kick(member.nick)),
        this.modButton('Ban', `Ban ${member.nick} from #${conv.name}`, () => this.moderate.ban(member.nick))));
  }

  modButton(label, description, act) {
    return h('button', {
      class: 'button button-ghost button-small',
      type: 'button',
      'aria-label': description,
      dataset: { action: label.toLowerCase() },
      onclick: () => void act(),
    }, label);
  }

  viaOf(nick) {
    for (const conv of this.store.rooms) {
      const member = conv.members.get(nick.toLowerCase());
      if (member) {
        return member.via;
      }
    }
    return null;
  }
}
