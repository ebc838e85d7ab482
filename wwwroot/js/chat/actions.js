// Runs a parsed command (see commands.js) against the store and the hub: what typing into the message box does.
import { notice } from './events.js';
import { commandHelp } from './commands.js';

export const MAX_MESSAGE = 2000;

/**
 * @param {import('./store.js').ChatStore} store
 * @param {import('./client.js').ChatClient} client
 * @param {(nick: string) => void} openDm
 */
export function createCommandRunner(store, client, openDm) {
  const requireRoom = (what) => {
    const conv = store.active;
    if (conv?.kind !== 'room') {
      throw { code: 'not_in_room', text: `${what} work in rooms; open a room first.` };
    }
    return conv;
  };

  const info = (text) => {
    const conv = store.active;
    if (conv) {
      store.post(conv, notice(text, 'info'), { countUnread: false });
    }
  };

  return async function run(command) {
    switch (command.kind) {
      case 'say': {
        const conv = store.active;
        if (!conv) {
          throw { code: 'not_in_room', text: 'You are in no room; join one first (/join ROOM).' };
        }
        if ([...command.text.trim()].length > MAX_MESSAGE) {
          throw { code: 'message_too_long', text: `Messages are at most ${MAX_MESSAGE} characters.` };
        }
        await client.send(conv, command.text);
        return;
      }
      case 'me':
        await client.sendAction(requireRoom('Actions'), command.text);
        return;
      case 'join':
        await client.joinRoom(command.room);
        return;
      case 'leave': {
        const conv = command.room ? store.room(command.room.replace(/^#/, '').toLowerCase()) : store.active;
        if (conv?.kind === 'dm') {
          store.remove(conv.key);
          return;
        }
        await client.leaveRoom(conv?.name ?? command.room);
        return;
      }
      case 'nick':
        await client.setNick(command.nick);
        return;
      case 'msg': {
        const conv = await client.sendPrivate(command.nick, command.text);
        if (conv) {
          store.activate(conv.key);
        }
        return;
      }
      case 'open':
        openDm(command.nick);
        return;
      case 'topic': {
        const conv = requireRoom('Topics');
        info(conv.topic ? `Topic of #${conv.name}: ${conv.topic}` : `#${conv.name} has no topic.`);
        return;
      }
      case 'set-topic':
        await client.setTopic(requireRoom('Topics'), command.text);
        return;
      case 'kick':
        await client.kick(requireRoom('Kicks'), command.nick, command.reason);
        return;
      case 'ban':
        await client.ban(requireRoom('Bans'), command.nick);
        return;
      case 'who': {
        const room = command.room ?? requireRoom('/who without a room').name;
        const members = await client.listMembers(room);
        info(`Members of #${room.replace(/^#/, '')}: ${members.map((m) => `${m.nick} (${m.via})`).join(', ') || 'nobody'}`);
        return;
      }
      case 'rooms': {
        const rooms = await client.listRooms();
        store.setDirectory(rooms);
        info(`Rooms: ${rooms.map((r) => `#${r.name} (${r.members})${r.topic ? ` “${r.topic}”` : ''}`).join(', ')}`);
        return;
      }
      case 'help':
        info(['Commands:', ...commandHelp.map(([form, what]) => `  ${form} — ${what}`)].join('\n'));
        return;
      default:
        throw { code: 'unknown_command', text: 'Unknown command. Type /help for the list.' };
    }
  };
}
