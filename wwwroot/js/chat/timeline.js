// The message list of the conversation on screen: grouping, day dividers, auto-scroll and "load older".
import { h, byId } from '../shared/dom.js';
import { formatTime, formatFull, formatDay, sameDay, colorSlot, initials, viaLabels } from '../shared/format.js';

const GROUP_WINDOW_MS = 5 * 60 * 1000;
const STICKY_SLACK_PX = 64;

export class Timeline {
  /**
   * @param {import('./store.js').ChatStore} store
   * @param {{ loadOlder: (conv) => Promise<number>, notify: Function }} actions
   */
  constructor(store, actions) {
    this.store = store;
    this.actions = actions;
    this.scroller = byId('timeline');
    this.list = byId('messages');
    this.olderButton = byId('load-older');
    this.start = byId('timeline-start');
    this.jump = byId('jump-button');
    this.unseen = 0;

    this.scroller.addEventListener('scroll', () => {
      if (this.isAtBottom()) {
        this.hideJump();
      }
    });
    this.jump.addEventListener('click', () => this.scrollToBottom(true));
    this.olderButton.addEventListener('click', () => void this.loadOlder());

    store.addEventListener('active', () => this.render());
    store.addEventListener('reload', (e) => {
      if (e.detail.conv === store.active) {
        this.render();
      }
    });
    store.addEventListener('item', (e) => this.onItem(e.detail));
  }

  render() {
    const conv = this.store.active;
    this.hideJump();
    if (!conv) {
      this.list.replaceChildren();
      this.updateTop(null);
      return;
    }
    const fragment = document.createDocumentFragment();
    conv.items.forEach((item, i) => fragment.append(...this.renderItem(item, conv.items[i - 1])));
    this.list.replaceChildren(fragment);
    this.updateTop(conv);
    this.scrollToBottom(false);
  }

  onItem({ conv, item, how }) {
    if (conv !== this.store.active) {
      return;
    }
    if (how === 'inserted') {
      const offset = this.scroller.scrollHeight - this.scroller.scrollTop;
      const stick = this.isAtBottom();
      this.render();
      if (!stick) {
        this.scroller.scrollTop = this.scroller.scrollHeight - offset;
      }
      return;
    }
    const stick = this.isAtBottom() || (item.from !== undefined && this.store.isMe(item.from));
    const index = conv.items.lastIndexOf(item);
    this.list.append(...this.renderItem(item, conv.items[index - 1]));
    this.updateTop(conv);
    if (stick) {
      this.scrollToBottom(false);
    } else if (item.type !== 'notice') {
      this.unseen++;
      this.jump.textContent = `${this.unseen} new message${this.unseen === 1 ? '' : 's'} ↓`;
      this.jump.hidden = false;
    }
  }

  async loadOlder() {
    const conv = this.store.active;
    if (!conv || conv.kind !== 'room') {
      return;
    }
    this.olderButton.disabled = true;
    this.olderButton.textContent = 'Loading…';
    try {
      const before = this.scroller.scrollHeight - this.scroller.scrollTop;
      await this.actions.loadOlder(conv);
      if (conv === this.store.active) {
        const fragment = document.createDocumentFragment();
        conv.items.forEach((item, i) => fragment.append(...this.renderItem(item, conv.items[i - 1])));
        this.list.replaceChildren(fragment);
        this.updateTop(conv);
        this.scroller.scrollTop = this.scroller.scrollHeight - before;
      }
    } catch (error) {
      this.actions.notify(`Could not load older messages: ${error.text ?? error.message ?? error}`, 'error');
    } finally {
      this.olderButton.disabled = false;
      this.olderButton.textContent = 'Load older messages';
    }
  }

  updateTop(conv) {
    const canLoad = conv?.kind === 'room' && conv.loaded && conv.hasOlder;
    this.olderButton.hidden = !canLoad;
    this.start.hidden = !conv || canLoad;
    if (conv) {
      this.start.textContent = conv.kind === 'room'
        ? `This is the beginning of #${conv.name}.`
        : `This is your private conversation with ${conv.name}. Private messages are not stored.`;
    }
  }

  isAtBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= STICKY_SLACK_PX;
  }

  scrollToBottom(smooth) {
    this.scroller.scrollTo({ top: this.scroller.scrollHeight, behavior: smooth ? 'smooth' : 'instant' });
    this.hideJump();
  }

  hideJump() {
    this.unseen = 0;
    this.jump.hidden = true;
  }

  /** One entry, preceded by a day divider when the day changes. */
  renderItem(item, previous) {
    const nodes = [];
    const date = new Date(item.ts);
    const prevDate = previous ? new Date(previous.ts) : null;
    if (!prevDate || !sameDay(date, prevDate)) {
      nodes.push(h('li', { class: 'day-divider', role: 'separator' }, h('span', { text: formatDay(date) })));
    }
    nodes.push(item.type === 'notice' ? renderNotice(item, date) : this.renderMessage(item, previous, date, prevDate));
    return nodes;
  }

  renderMessage(item, previous, date, prevDate) {
    const time = h('time', { class: 'msg-time', datetime: item.ts, title: formatFull(date), text: formatTime(date) });
    const slot = colorSlot(item.from);
    const mine = this.store.isMe(item.from);
    const attrs = {
      class: `msg msg-${item.type}${mine ? ' msg-mine' : ''}`,
      dataset: { from: item.from, ...(item.id !== undefined ? { id: item.id } : {}), ...(item.via ? { via: item.via } : {}) },
    };

    if (item.type === 'action') {
      return h('li', attrs,
        h('span', { class: 'msg-gutter msg-action-mark', 'aria-hidden': 'true', text: '✱' }),
        h('p', { class: 'msg-action-text' },
          h('span', { class: `msg-from nick-c${slot}`, text: item.from }), viaBadge(item.via), ' ',
          h('span', { class: 'msg-text', text: item.text }), ' ', time));
    }

    const continued = previous && previous.type === item.type && previous.from === item.from && previous.via === item.via
      && prevDate && sameDay(date, prevDate) && date - prevDate < GROUP_WINDOW_MS;
    if (continued) {
      attrs.class += ' msg-continued';
      return h('li', attrs, h('span', { class: 'msg-gutter' }, time), h('div', { class: 'msg-body' }, h('p', { class: 'msg-text', text: item.text })));
    }

    return h('li', attrs,
      h('span', { class: `avatar nick-bg${slot}`, 'aria-hidden': 'true', text: initials(item.from) }),
      h('div', { class: 'msg-body' },
        h('div', { class: 'msg-meta' },
          h('span', { class: `msg-from nick-c${slot}`, text: item.from }),
          viaBadge(item.via),
          item.type === 'private' && mine ? h('span', { class: 'msg-to', text: `to ${item.to}` }) : null,
          time),
        h('p', { class: 'msg-text', text: item.text })));
  }
}

function renderNotice(item, date) {
  return h('li', { class: `notice notice-${item.tone}` },
    h('span', { class: 'notice-text' }, item.text, item.via ? viaBadge(item.via) : null),
    h('time', { class: 'notice-time', datetime: item.ts, title: formatFull(date), text: formatTime(date) }));
}

/** Marks who came in from outside the browser: tcp, ws and api senders get a badge; web users none. */
export function viaBadge(via, always = false) {
  if (!via || (via === 'web' && !always)) {
    return null;
  }
  return h('span', { class: `via via-${via}`, title: viaLabels[via] ?? via, text: via });
}
