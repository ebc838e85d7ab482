// The hub connection and everything done over it: events into the store, actions out, reconnect and restore.
import { signalR } from '../shared/signalr.js';
import { describeError } from '../shared/errors.js';
import { HISTORY_PAGE } from './store.js';
import { RoomEvents, notice } from './events.js';
import { forgetToken } from './identity.js';

// Quick at first (a restarting server is back within seconds), then every 5 s; after 5 minutes give up.
const RETRY_DELAYS = [0, 500, 1000, 2000, 3000, 5000];
const GIVE_UP_AFTER_MS = 5 * 60 * 1000;
const DIRECTORY_REFRESH_MS = 20 * 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ChatClient {
  /** @param {import('./store.js').ChatStore} store */
  constructor(store, notify, token = null) {
    this.store = store;
    this.notify = notify;
    /** The website's token: sent with every (re)connect, so a reconnect is signed in from its first moment. */
    this.token = token;
    this.hub = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/chat', { accessTokenFactory: () => this.token ?? '' })
      // A short drop is bridged by SignalR itself (same connection, nothing lost); a longer one ends the connection,
      // and the next one resumes the dropped session with its token.
      .withStatefulReconnect()
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => nextDelay(ctx.previousRetryCount, ctx.elapsedMilliseconds) })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    this.events = new RoomEvents(store, notify);
    /** The secret that takes this session back after a drop (welcome, then each Resume), and who I was then. */
    this.resumeToken = null;
    this.dropped = null;
    this.resumed = null;
    this.welcome = this.expectWelcome();
    this.startedAt = 0;
    this.directoryTimer = 0;
    this.wire();
  }

  // ---- connection lifecycle ------------------------------------------------------------------------------------

  async start() {
    this.welcome = this.expectWelcome();
    this.store.setConnection('connecting');
    this.startedAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.hub.start();
        break;
      } catch (error) {
        if (this.token && /\b401\b/.test(String(error?.message ?? error))) {
          // A token the gateway refuses (expired, wrong key) would be refused on every attempt: go on as a guest.
          this.token = null;
          forgetToken();
          this.notify('Your sign-in was refused (the token may have expired); you are a guest now.', 'error');
          continue;
        }
        const delay = nextDelay(attempt, Date.now() - this.startedAt);
        if (delay === null) {
          this.store.setConnection('gone');
          return;
        }
        this.store.setConnection('connecting', { failed: attempt + 1 });
        await sleep(Math.max(delay, 1000));
      }
    }
    // After "Try again" the page still knows its rooms: take the session back, or restore them like after a reconnect.
    await this.comeBack({ initial: this.store.rooms.length === 0 });
  }

  /** The "Try again" button after the page gave up. */
  retry() {
    if (this.hub.state === signalR.HubConnectionState.Disconnected) {
      void this.start();
    }
  }

  wire() {
    const { hub, store } = this;
    hub.onreconnecting(() => {
      this.welcome = this.expectWelcome();
      this.rememberDrop();
      store.setConnection('reconnecting');
      for (const conv of store.rooms) {
        store.post(conv, notice('Connection lost. Reconnecting…', 'warn'), { countUnread: false });
      }
    });
    hub.onreconnected(() => void this.comeBack({ initial: false }));
    hub.onclose(() => {
      this.rememberDrop();
      window.clearInterval(this.directoryTimer);
      store.setConnection('gone');
    });

    this.events.listen(hub);
    hub.on('welcome', (e) => {
      store.setAccount(e.account ?? null);
      this.resumeToken = e.resumeToken ?? null;
      this.welcomed?.();
    });
    hub.on('resumed', (e) => this.replayed?.(e));
  }

  /** The connection is gone: what a new one needs to take this session back. */
  rememberDrop() {
    if (this.resumeToken && !this.dropped) {
      this.dropped = { token: this.resumeToken, nick: this.store.nick, account: this.store.account };
    }
    this.resumeToken = null;
  }

  /** After a new connection: resume the dropped session if the server still holds it, or else rejoin as before. */
  async comeBack({ initial }) {
    const dropped = this.dropped;
    this.dropped = null;
    const outcome = !initial && dropped ? await this.resume(dropped) : 'refused';
    if (outcome !== 'refused') {
      return; // resumed, or the new connection dropped too: the next one tries again with the same token
    }
    if (!initial && dropped) {
      // The new connection's welcome can be lost to the SignalR client's stateful-reconnect bookkeeping (the old
      // connection's sequence numbers still apply when it arrives): ask for it instead.
      const me = await this.hub.invoke('WhoAmI').catch(() => null);
      if (me) {
        this.store.setNick(me.nick);
        this.resumeToken = me.resumeToken ?? null;
      }
      await this.restore({ initial, welcomeSettled: me !== null });
      return;
    }
    await this.restore({ initial });
  }

  /**
   * Takes the dropped session over: same nick and rooms; the server replays what it missed (ending with `resumed`),
   * and each room is topped up from history with what the dropped socket had been sent but never read. Each room
   * then says how many messages came while I was away. 'refused' when the server no longer holds the session,
   * 'lost' when this connection went too before the answer (the token may still be good: it is kept for the next).
   */
  async resume(dropped) {
    const { store } = this;
    store.setConnection('restoring');
    const newestBefore = new Map(store.rooms.map((c) => [c.name.toLowerCase(), c.newestId]));
    // The replay speaks of me by my old nick: the page must know it by then.
    const guest = store.nick;
    store.setNick(dropped.nick);
    const replay = new Promise((resolve) => {
      this.replayed = resolve;
    });
    let result;
    try {
      result = await this.hub.invoke('Resume', dropped.token);
    } catch {
      store.setNick(guest);
      if (this.hub.state !== signalR.HubConnectionState.Connected) {
        this.dropped = dropped;
        return 'lost';
      }
      return 'refused';
    }
    this.resumeToken = result.resumeToken;
    store.setNick(result.nick);
    store.setAccount(result.account ?? null);
    await Promise.race([replay, sleep(5000)]);
    const mine = new Set(result.rooms.map((r) => r.toLowerCase()));
    for (const conv of [...store.rooms]) {
      if (!mine.has(conv.name.toLowerCase())) {
        // Not mine any more, and no replayed event said so (it went out on the dropped socket, never read).
        this.events.notify(`You are no longer in #${conv.name}.`, 'warn');
        store.remove(conv.key);
        continue;
      }
      // From the newest message shown before the drop, not after the replay: what the dropped socket was sent but
      // never read comes before the replayed events, and would be skipped.
      await this.catchUp(conv, newestBefore.get(conv.name.toLowerCase()) ?? conv.newestId).catch(() => {});
      conv.setMembers(await this.hub.invoke('ListMembers', conv.name).catch(() => [...conv.members.values()]));
      const before = newestBefore.get(conv.name.toLowerCase()) ?? null;
      const missed = conv.items.filter((i) => i.id !== undefined && (before === null || i.id > before)).length;
      conv.add(notice(`Reconnected: ${missed} missed message${missed === 1 ? '' : 's'}.`, 'ok'));
      store.emit('reload', { conv });
      store.emit('members', { conv });
    }
    await this.refreshDirectory().catch(() => {});
    window.clearInterval(this.directoryTimer);
    this.directoryTimer = window.setInterval(() => void this.refreshDirectory().catch(() => {}), DIRECTORY_REFRESH_MS);
    store.setConnection('connected', { restored: true });
    return 'resumed';
  }

  /** What a room said after message `from` (by default the newest shown), page by page; each message is shown once. */
  async catchUp(conv, from = conv.newestId) {
    for (let after = from; after !== null; ) {
      const page = await this.hub.invoke('HistoryAfter', conv.name, after, 200);
      for (const message of page) {
        conv.add(message);
      }
      after = page.length === 200 ? page[page.length - 1].id : null;
    }
  }

  /**
   * Every new connection starts with a `welcome` (my guest nick). It travels apart from call results, so restore
   * waits for it: a late welcome must not overwrite the nick restore has just taken back.
   */
  expectWelcome() {
    return new Promise((resolve) => {
      this.welcomed = resolve;
    });
  }

  /**
   * After a (re)connect the server knows me as a fresh guest in the lobby: take my nick back, rejoin my rooms
   * (re-creating any the server lost), leave the lobby if I had, and fill each room's gap from history.
   */
  async restore({ initial, welcomeSettled = false }) {
    const { store } = this;
    store.setConnection(initial ? 'connecting' : 'restoring');
    if (!welcomeSettled) {
      await Promise.race([this.welcome, sleep(5000)]);
    }
    const wanted = store.wantedNick;
    // A signed-in user's nick is its account's, given at connect.
    if (!store.account && wanted && wanted !== store.nick) {
      await this.reclaimNick(wanted);
    }

    const rooms = initial ? ['lobby'] : await this.roomsStillOpen(store.rooms.map((c) => c.name));
    const failed = [];
    for (const name of rooms) {
      try {
        await this.joinRoom(name, { activate: false, restoring: !initial, quiet: initial });
      } catch (error) {
        failed.push(`#${name}: ${describeError(error).text}`);
        store.remove(`room:${name}`);
      }
    }
    if (!initial && !rooms.includes('lobby')) {
      await this.hub.invoke('Leave', 'lobby').catch(() => {});
    }
    if (failed.length > 0) {
      this.notify(`Could not rejoin ${failed.join('; ')}`, 'error');
    }
    if (initial || !store.active) {
      const lobby = store.room('lobby');
      if (lobby) {
        store.post(lobby, notice(`Welcome! You are ${store.nick}. Type /help for commands, or open the room list to join more rooms.`, 'info'), { countUnread: false });
      }
      store.activate(store.active?.key ?? lobby?.key ?? null);
    }

    await this.refreshDirectory().catch(() => {});
    window.clearInterval(this.directoryTimer);
    this.directoryTimer = window.setInterval(() => void this.refreshDirectory().catch(() => {}), DIRECTORY_REFRESH_MS);
    store.setConnection('connected', { restored: !initial });
  }

  /**
   * My rooms that still exist. One closed while I was away is not re-created by joining it again: it is shown as
   * closed, once, and dropped. If the list cannot be had, every room is rejoined as before.
   */
  async roomsStillOpen(mine) {
    let open;
    try {
      open = new Set((await this.listRooms()).map((r) => r.name.toLowerCase()));
    } catch {
      return mine;
    }
    const closed = mine.filter((name) => name !== 'lobby' && !open.has(name.toLowerCase()));
    for (const name of closed) {
      this.events.onRoomClosed({ room: name, reason: 'it was closed while you were away' });
    }
    return mine.filter((name) => !closed.includes(name));
  }

  async reclaimNick(wanted) {
    // Right after a network drop the server may still hold my old session (and nick) for a moment.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        this.store.setNick(await this.hub.invoke('SetNick', wanted));
        return;
      } catch (error) {
        const { code, text } = describeError(error);
        if (code !== 'nick_taken' || attempt === 4) {
          this.notify(`Could not take back the nick ${wanted}: ${text}`, 'error');
          return;
        }
        await sleep(700);
      }
    }
  }

  // ---- actions --------------------------------------------------------------------------------------------------

  /** A token handed over after the page connected: sign this connection in now, and every later one at connect. */
  async signIn(token) {
    this.token = token;
    if (this.hub.state !== signalR.HubConnectionState.Connected) {
      return;
    }
    try {
      const result = await this.hub.invoke('Authenticate', token);
      this.store.setNick(result.nick);
      this.store.setAccount(result.account);
      for (const conv of this.store.rooms) {
        await this.refreshModeration(conv);
      }
      await this.refreshDirectory().catch(() => {});
    } catch (error) {
      this.token = null;
      forgetToken();
      this.notify(`Sign-in refused: ${describeError(error).text}`, 'error');
    }
  }

  /** Whether I may kick, ban and set the topic here: the page shows those actions to operators only. */
  async refreshModeration(conv) {
    const moderates = this.store.account ? await this.hub.invoke('Moderates', conv.name).catch(() => false) : false;
    if (conv.moderates !== moderates) {
      conv.moderates = moderates;
      this.store.emit('members', { conv });
      this.store.emit('active-info');
    }
  }

  async kick(conv, nick, reason = null) {
    await this.hub.invoke('Kick', conv.name, nick, reason);
  }

  async ban(conv, nick) {
    await this.hub.invoke('Ban', conv.name, nick);
  }

  async setTopic(conv, topic) {
    // Every member, me too, is told by roomUpdated.
    await this.hub.invoke('SetTopic', conv.name, topic);
  }

  async joinRoom(name, { activate = true, restoring = false, quiet = false } = {}) {
    const { store } = this;
    // Before the call: the server may replay recent history (a `history` event) before it answers.
    const newestBefore = store.room(name)?.newestId ?? null;
    const info = await this.hub.invoke('Join', name);
    const conv = store.ensureRoom(info);
    conv.pending ??= [];
    const firstLoad = !conv.loaded;
    try {
      const [members, history] = await Promise.all([
        this.hub.invoke('ListMembers', info.name),
        this.hub.invoke('History', info.name, HISTORY_PAGE),
      ]);
      conv.setMembers(members);
      await this.refreshModeration(conv);
      for (const message of history) {
        conv.add(message);
      }
      if (firstLoad) {
        conv.hasOlder = history.length >= HISTORY_PAGE;
        conv.loaded = true;
      }
      if (firstLoad && !restoring && !quiet) {
        conv.add(notice(`You joined #${info.name}.`, 'join'));
      }
      if (restoring) {
        const missed = conv.items.filter((i) => i.id !== undefined && (newestBefore === null || i.id > newestBefore)).length;
        const text = missed > 0
          ? `Reconnected. ${missed} message${missed === 1 ? '' : 's'} you missed ${missed === 1 ? 'is' : 'are'} shown above.`
          : 'Reconnected.';
        conv.add(notice(text, 'ok'));
      }
    } finally {
      const waiting = conv.pending ?? [];
      conv.pending = null;
      for (const item of waiting) {
        conv.add(item);
      }
      store.emit('reload', { conv });
      store.emit('members', { conv });
    }
    if (activate) {
      store.activate(conv.key);
    }
    return conv;
  }

  async leaveRoom(name) {
    await this.hub.invoke('Leave', name);
    this.store.remove(`room:${name}`);
    await this.refreshDirectory().catch(() => {});
  }

  async setNick(nick) {
    const result = await this.hub.invoke('SetNick', nick);
    this.store.rememberNick(result);
    this.store.setNick(result);
    return result;
  }

  /**
   * While reconnecting, SignalR would keep a call waiting for a connection that may never come back: say so at once
   * instead (the composer keeps the text). A blip bridged by stateful reconnect never leaves the Connected state.
   */
  requireConnected() {
    if (this.hub.state !== signalR.HubConnectionState.Connected) {
      throw { code: 'offline', text: 'Not connected to the server right now.' };
    }
  }

  async send(conv, text) {
    this.requireConnected();
    if (conv.kind === 'room') {
      this.store.post(conv, await this.hub.invoke('Send', conv.name, text));
    } else {
      this.events.onPrivate(await this.hub.invoke('SendPrivate', conv.name, text));
    }
  }

  async sendAction(conv, text) {
    this.requireConnected();
    this.store.post(conv, await this.hub.invoke('SendAction', conv.name, text));
  }

  async sendPrivate(nick, text) {
    this.requireConnected();
    const message = await this.hub.invoke('SendPrivate', nick, text);
    this.events.onPrivate(message);
    return this.store.dm(message.to);
  }

  listMembers(room) {
    return this.hub.invoke('ListMembers', room);
  }

  listRooms() {
    return this.hub.invoke('ListRooms');
  }

  async refreshDirectory() {
    if (this.hub.state === signalR.HubConnectionState.Connected) {
      this.store.setDirectory(await this.listRooms());
    }
  }

  /** "Load older": a page of history before the oldest message shown, from the REST API. */
  async loadOlder(conv) {
    const before = conv.oldestId;
    const url = `/api/rooms/${encodeURIComponent(conv.name)}/messages?limit=${HISTORY_PAGE}` + (before === null ? '' : `&before=${before}`);
    // A private room's history is shown to a reader whose token may join it.
    const headers = this.token ? { Accept: 'application/json', Authorization: `Bearer ${this.token}` } : { Accept: 'application/json' };
    const response = await fetch(url, { headers });
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      throw { code: problem?.code ?? 'error', text: problem?.detail ?? `The server answered ${response.status}.` };
    }
    const messages = await response.json();
    conv.hasOlder = messages.length >= HISTORY_PAGE;
    return conv.prepend(messages);
  }
}

function nextDelay(previousRetries, elapsedMs) {
  if (elapsedMs > GIVE_UP_AFTER_MS) {
    return null;
  }
  return RETRY_DELAYS[Math.min(previousRetries, RETRY_DELAYS.length - 1)];
}
