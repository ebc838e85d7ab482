// The page's state: who I am, the connection, and one conversation per joined room or private partner.
// Views listen for the events it dispatches; nothing here touches the DOM.

export const HISTORY_PAGE = 50;
const MAX_ITEMS = 2000;
// A reload in the same tab brings back my nick and my private conversations (the server keeps no private history).
const SESSION_KEY = 'socketgateway.chat';
const KEPT_PRIVATE_MESSAGES = 200;

export const roomKey = (name) => `room:${name}`;
export const dmKey = (nick) => `dm:${nick.toLowerCase()}`;

/**
 * An entry of a conversation. Messages keep the server's shape ({type, id, room, from, text, ts, via});
 * private messages {type: 'private', from, to, text, ts}; local notices {type: 'notice', tone, text, ts}.
 */
export class Conversation {
  constructor(kind, name) {
    this.kind = kind;
    this.name = name;
    this.key = kind === 'room' ? roomKey(name) : dmKey(name);
    this.items = [];
    this.ids = new Set();
    this.members = new Map();
    this.info = null;
    this.unread = 0;
    this.hasOlder = false;
    this.loaded = false;
    /** While history is loading, live messages wait here so that they land after it. */
    this.pending = null;
  }

  get topic() {
    return this.info?.topic ?? null;
  }

  get oldestId() {
    return this.items.find((i) => i.id !== undefined)?.id ?? null;
  }

  get newestId() {
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (this.items[i].id !== undefined) {
        return this.items[i].id;
      }
    }
    return null;
  }

  /**
   * Adds an item in id order (notices and private messages go at the end).
   * @returns {'appended'|'inserted'|null} null when it was already there.
   */
  add(item) {
    if (item.id === undefined) {
      this.items.push(item);
      this.trim();
      return 'appended';
    }
    if (this.ids.has(item.id)) {
      return null;
    }
    this.ids.add(item.id);
    // Before the first later message that follows the last earlier one; usually simply at the end.
    let lastEarlier = -1;
    for (let i = this.items.length - 1; i >= 0; i--) {
      const id = this.items[i].id;
      if (id !== undefined && id < item.id) {
        lastEarlier = i;
        break;
      }
    }
    let at = this.items.length;
    for (let i = lastEarlier + 1; i < this.items.length; i++) {
      const id = this.items[i].id;
      if (id !== undefined && id > item.id) {
        at = i;
        break;
      }
    }
    this.items.splice(at, 0, item);
    this.trim();
    return at === this.items.length - 1 ? 'appended' : 'inserted';
  }

  /** Older history, oldest first, from "load older". */
  prepend(messages) {
    const fresh = messages.filter((m) => !this.ids.has(m.id));
    for (const m of fresh) {
      this.ids.add(m.id);
    }
    this.items.unshift(...fresh);
    return fresh.length;
  }

  setMembers(members) {
    this.members = new Map(members.map((m) => [m.nick.toLowerCase(), m]));
    if (this.info) {
      this.info = { ...this.info, members: this.members.size };
    }
  }

  trim() {
    if (this.items.length > MAX_ITEMS) {
      const dropped = this.items.splice(0, this.items.length - MAX_ITEMS);
      for (const item of dropped) {
        this.ids.delete(item.id);
      }
      this.hasOlder = true;
    }
  }
}

export class ChatStore extends EventTarget {
  constructor() {
    super();
    /** The nick the server knows me by. */
    this.nick = '';
    /** The nick I chose; restored after a reconnect. */
    this.wantedNick = null;
    /** The account I signed in as (the token's sub), or null for a guest. */
    this.account = null;
    /** connecting | connected | reconnecting | restoring | gone */
    this.connection = 'connecting';
    this.conversations = new Map();
    /** Every room on the gateway (name → Room), refreshed now and then. */
    this.directory = new Map();
    this.activeKey = null;
    this.restoreSession();
  }

  /** The nick I chose: taken back after a reconnect, and after a reload of this tab. */
  rememberNick(nick) {
    this.wantedNick = nick;
    this.saveSession();
  }

  saveSession() {
    const dms = this.dms.map((c) => ({
      name: c.name,
      items: c.items.filter((i) => i.type === 'private').slice(-KEPT_PRIVATE_MESSAGES),
    }));
    try {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify({ nick: this.wantedNick, dms }));
    } catch {
      // Storage full or turned off: a reload then simply starts afresh.
    }
  }

  restoreSession() {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    } catch {
      saved = null;
    }
    if (!saved || typeof saved !== 'object') {
      return;
    }
    this.wantedNick = typeof saved.nick === 'string' ? saved.nick : null;
    for (const dm of Array.isArray(saved.dms) ? saved.dms : []) {
      if (typeof dm?.name !== 'string' || this.dm(dm.name)) {
        continue;
      }
      const conv = new Conversation('dm', dm.name);
      conv.loaded = true;
      for (const item of Array.isArray(dm.items) ? dm.items : []) {
        if (item?.type === 'private' && typeof item.text === 'string') {
          conv.add(item);
        }
      }
      this.conversations.set(conv.key, conv);
    }
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  get active() {
    return this.activeKey ? this.conversations.get(this.activeKey) ?? null : null;
  }

  get rooms() {
    return [...this.conversations.values()].filter((c) => c.kind === 'room');
  }

  get dms() {
    return [...this.conversations.values()].filter((c) => c.kind === 'dm');
  }

  get totalUnread() {
    let total = 0;
    for (const c of this.conversations.values()) {
      total += c.unread;
    }
    return total;
  }

  isMe(nick) {
    return nick.toLowerCase() === this.nick.toLowerCase();
  }

  room(name) {
    return this.conversations.get(roomKey(name)) ?? null;
  }

  dm(nick) {
    return this.conversations.get(dmKey(nick)) ?? null;
  }

  setNick(nick) {
    this.nick = nick;
    this.emit('nick');
  }

  setAccount(account) {
    this.account = account;
    this.emit('nick');
  }

  setConnection(state, detail = {}) {
    this.connection = state;
    this.emit('connection', detail);
  }

  ensureRoom(info) {
    let conv = this.room(info.name);
    if (!conv) {
      conv = new Conversation('room', info.name);
      this.conversations.set(conv.key, conv);
    }
    conv.info = info;
    this.directory.set(info.name, info);
    this.emit('conversations');
    return conv;
  }

  ensureDm(nick) {
    let conv = this.dm(nick);
    if (!conv) {
      conv = new Conversation('dm', nick);
      conv.loaded = true;
      this.conversations.set(conv.key, conv);
      this.saveSession();
      this.emit('conversations');
    }
    return conv;
  }

  remove(key) {
    const conv = this.conversations.get(key);
    if (!conv) {
      return;
    }
    this.conversations.delete(key);
    if (conv.kind === 'dm') {
      this.saveSession();
    }
    if (this.activeKey === key) {
      const next = this.rooms.at(-1) ?? this.dms.at(-1) ?? null;
      this.activate(next?.key ?? null);
    }
    this.emit('conversations');
  }

  /** A private partner changed nick: the conversation follows them. */
  renameDm(oldNick, newNick) {
    const conv = this.dm(oldNick);
    if (!conv || this.dm(newNick)) {
      return;
    }
    this.conversations.delete(conv.key);
    conv.name = newNick;
    conv.key = dmKey(newNick);
    this.conversations.set(conv.key, conv);
    this.saveSession();
    if (this.activeKey === dmKey(oldNick)) {
      this.activeKey = conv.key;
      this.emit('active');
    }
    this.emit('conversations');
  }

  activate(key) {
    this.activeKey = key;
    const conv = this.active;
    if (conv) {
      conv.unread = 0;
    }
    this.emit('active');
    this.emit('conversations');
  }

  /** Adds an item to a conversation, counting it as unread when it is not on screen. */
  post(conv, item, { countUnread = true } = {}) {
    if (conv.pending) {
      conv.pending.push(item);
      return;
    }
    const how = conv.add(item);
    if (!how) {
      return;
    }
    if (conv.kind === 'dm' && item.type === 'private') {
      this.saveSession();
    }
    const isActive = conv.key === this.activeKey;
    if (!isActive && countUnread && item.type !== 'notice' && !this.isMe(item.from ?? '')) {
      conv.unread++;
      this.emit('conversations');
    }
    this.emit('item', { conv, item, how });
  }

  setDirectory(rooms) {
    this.directory = new Map(rooms.map((r) => [r.name, r]));
    for (const room of rooms) {
      const conv = this.room(room.name);
      if (conv) {
        conv.info = room;
      }
    }
    this.emit('conversations');
    this.emit('active-info');
  }
}
