// What the server tells the page, applied to the store: messages, presence, nick changes, private messages, rooms.

export function notice(text, tone, extra = {}) {
  return { type: 'notice', tone, text, ts: new Date().toISOString(), ...extra };
}

export class RoomEvents {
  /** @param {import('./store.js').ChatStore} store */
  constructor(store, notify) {
    this.store = store;
    this.notify = notify;
  }

  /** @param {import('@microsoft/signalr').HubConnection} hub */
  listen(hub) {
    const { store } = this;
    hub.on('welcome', (e) => store.setNick(e.nick));
    hub.on('message', (m) => this.onMessage(m));
    hub.on('action', (m) => this.onMessage(m));
    hub.on('history', (e) => this.onHistory(e));
    hub.on('joined', (e) => this.onJoined(e));
    hub.on('left', (e) => this.onLeft(e));
    hub.on('nick', (e) => this.onNick(e));
    hub.on('private', (p) => this.onPrivate(p));
    hub.on('roomUpdated', (r) => this.onRoomUpdated(r));
    hub.on('roomClosed', (e) => this.onRoomClosed(e));
  }

  onMessage(message) {
    const conv = this.store.room(message.room);
    if (conv) {
      this.store.post(conv, message);
    }
  }

  onHistory(event) {
    const conv = this.store.room(event.room);
    if (!conv) {
      return;
    }
    for (const message of event.messages) {
      this.store.post(conv, message, { countUnread: false });
    }
  }

  onJoined(event) {
    const conv = this.store.room(event.room);
    // My own join is shown by joinRoom, whichever of the event and the call's result arrives first.
    if (!conv || this.store.isMe(event.nick) || conv.members.has(event.nick.toLowerCase())) {
      return;
    }
    conv.members.set(event.nick.toLowerCase(), { nick: event.nick, via: event.via, connectedAt: new Date().toISOString() });
    conv.info = { ...conv.info, members: conv.members.size };
    this.store.post(conv, notice(`${event.nick} joined`, 'join', { nick: event.nick, via: event.via }), { countUnread: false });
    this.store.emit('members', { conv });
    this.store.emit('conversations');
  }

  onLeft(event) {
    const { store } = this;
    const conv = store.room(event.room);
    if (!conv) {
      return;
    }
    if (store.isMe(event.nick)) {
      if (event.reason === 'kicked') {
        this.notify(`You were removed from #${event.room}.`, 'warn');
      }
      store.remove(conv.key);
      return;
    }
    conv.members.delete(event.nick.toLowerCase());
    conv.info = { ...conv.info, members: conv.members.size };
    const why = event.reason === 'left' ? '' : event.reason === 'quit' && event.text ? ` (quit: ${event.text})` : ` (${event.reason.replace('_', ' ')})`;
    store.post(conv, notice(`${event.nick} left${why}`, 'leave', { nick: event.nick }), { countUnread: false });
    store.emit('members', { conv });
    store.emit('conversations');
  }

  onNick(event) {
    const { store } = this;
    if (store.isMe(event.old)) {
      store.setNick(event.new);
    }
    store.renameDm(event.old, event.new);
    const conv = store.room(event.room);
    if (!conv) {
      return;
    }
    const member = conv.members.get(event.old.toLowerCase());
    conv.members.delete(event.old.toLowerCase());
    if (member) {
      conv.members.set(event.new.toLowerCase(), { ...member, nick: event.new });
    }
    // Taking my nick back after a reconnect is not news.
    if (store.connection !== 'restoring' || !store.isMe(event.new)) {
      store.post(conv, notice(`${event.old} is now known as ${event.new}`, 'nick'), { countUnread: false });
    }
    store.emit('members', { conv });
  }

  onPrivate(message) {
    const { store } = this;
    const partner = store.isMe(message.from) ? message.to : message.from;
    const conv = store.ensureDm(partner);
    store.post(conv, message);
    if (!store.isMe(message.from) && store.activeKey !== conv.key) {
      this.notify(`Private message from ${message.from}`, 'info', () => store.activate(conv.key), conv.key);
    }
  }

  onRoomUpdated(room) {
    const conv = this.store.room(room.name);
    this.store.directory.set(room.name, room);
    if (conv) {
      const before = conv.topic;
      conv.info = room;
      if ((room.topic ?? null) !== before) {
        this.store.post(conv, notice(room.topic ? `Topic changed to: ${room.topic}` : 'The topic was cleared', 'info'), { countUnread: false });
      }
    }
    this.store.emit('conversations');
    this.store.emit('active-info');
  }

  onRoomClosed(event) {
    this.notify(`#${event.room} was closed: ${event.reason}`, 'warn');
    this.store.directory.delete(event.room);
    this.store.remove(`room:${event.room}`);
  }
}
