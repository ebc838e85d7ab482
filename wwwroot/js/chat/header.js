// The conversation header (name, topic, Leave/Close) and the tab title with the unread count.
import { byId } from '../shared/dom.js';

export class Header {
  /** @param {import('./store.js').ChatStore} store */
  constructor(store, leave, editTopic) {
    this.store = store;
    this.title = byId('conversation-title');
    this.topic = byId('conversation-topic');
    this.leave = byId('leave-button');
    this.topicButton = byId('topic-button');
    this.topicButton.addEventListener('click', () => editTopic(store.active));
    this.unreadDot = byId('sidebar-unread');
    this.leave.addEventListener('click', leave);
    for (const type of ['active', 'active-info', 'connection', 'members']) {
      store.addEventListener(type, () => this.render());
    }
    store.addEventListener('conversations', () => this.renderTitle());
    this.render();
  }

  render() {
    const { store, title, topic, leave } = this;
    const conv = store.active;
    // Operators of the room (and admins) may set its topic.
    this.topicButton.hidden = !(conv?.kind === 'room' && conv.moderates);
    if (!conv) {
      const connected = store.connection === 'connected';
      title.textContent = connected ? 'No room' : 'Connecting…';
      topic.textContent = connected ? 'Join a room from the list to start chatting.' : '';
      leave.hidden = true;
    } else if (conv.kind === 'room') {
      title.textContent = `#${conv.name}`;
      topic.textContent = conv.topic ?? 'No topic set';
      topic.classList.toggle('is-empty', !conv.topic);
      leave.hidden = false;
      leave.textContent = 'Leave';
      leave.setAttribute('aria-label', `Leave #${conv.name}`);
    } else {
      title.textContent = `@${conv.name}`;
      topic.textContent = 'Private conversation';
      topic.classList.add('is-empty');
      leave.hidden = false;
      leave.textContent = 'Close';
      leave.setAttribute('aria-label', `Close the conversation with ${conv.name}`);
    }
    this.renderTitle();
  }

  renderTitle() {
    const unread = this.store.totalUnread;
    const conv = this.store.active;
    const where = conv ? `${conv.kind === 'room' ? '#' : '@'}${conv.name} · ` : '';
    document.title = `${unread ? `(${unread}) ` : ''}${where}SocketGateway`;
    this.unreadDot.hidden = unread === 0;
  }
}
