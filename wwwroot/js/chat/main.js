// The chat page: one store, one hub client, and the views that show them.
import { describeError } from '../shared/errors.js';
import { ChatStore } from './store.js';
import { ChatClient } from './client.js';
import { createCommandRunner } from './actions.js';
import { Composer } from './composer.js';
import { Header } from './header.js';
import { Layout } from './layout.js';
import { MembersPanel } from './members.js';
import { Sidebar } from './sidebar.js';
import { ConnectionStatus, Toasts } from './status.js';
import { Timeline } from './timeline.js';
import { initialToken, listenForTokens } from './identity.js';

const store = new ChatStore();
const toasts = new Toasts();
const notify = (text, tone, onOpen, key) => toasts.show(text, tone, onOpen, key);
const client = new ChatClient(store, notify, initialToken());
listenForTokens((token) => void client.signIn(token));

/** Shows a conversation, closing the slide-over panels and putting the cursor in the message box. */
function show(key) {
  store.activate(key);
  layout.closePanels();
  composer.focus();
}

const openDm = (nick) => show(store.ensureDm(nick).key);
const run = createCommandRunner(store, client, openDm);
const composer = new Composer(store, run);
const layout = new Layout(() => composer.input.focus());

const failed = (e) => composer.setError(describeError(e).text);
new Header(store, () => void run({ kind: 'leave', room: null }).catch(failed), (conv) => composer.prefill(`/topic ${conv?.topic ?? ''}`));
new ConnectionStatus(store, () => client.retry());
new Timeline(store, { loadOlder: (conv) => client.loadOlder(conv), notify });
new MembersPanel(store, openDm, {
  kick: (nick) => run({ kind: 'kick', nick, reason: null }).catch(failed),
  ban: (nick) => run({ kind: 'ban', nick }).catch(failed),
});
new Sidebar(store, {
  setNick: (nick) => client.setNick(nick),
  join: async (room) => show((await client.joinRoom(room)).key),
  open: show,
  notify,
}).renderMe();
store.addEventListener('active', () => toasts.dismiss(store.activeKey));

void client.start();
