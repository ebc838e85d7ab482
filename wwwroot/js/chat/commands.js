// What a line typed into the message box means: the same commands as on the TCP line protocol.

export const commandHelp = [
  ['/join ROOM', 'join a room, creating it if needed'],
  ['/leave [ROOM]', 'leave a room (default: this one)'],
  ['/nick NAME', 'change your nick'],
  ['/me TEXT', 'send an action'],
  ['/msg NICK TEXT', 'send a private message'],
  ['/topic [TEXT]', "show this room's topic; operators: set it"],
  ['/kick NICK [REASON]', 'operators: remove someone from this room'],
  ['/ban NICK', 'operators: remove someone and keep them out'],
  ['/who [ROOM]', 'list the members of a room'],
  ['/rooms', 'list every room'],
  ['//text', 'send text that starts with /'],
];

/**
 * @param {string} line what was typed
 * @returns {{kind: string, [key: string]: string | null}}
 */
export function parseInput(line) {
  const trimmed = line.trim();
  if (!trimmed.startsWith('/')) {
    return { kind: 'say', text: line };
  }
  if (trimmed.startsWith('//')) {
    return { kind: 'say', text: trimmed.slice(1) };
  }

  const match = /^\/(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  const name = (match?.[1] ?? '').toLowerCase();
  const rest = (match?.[2] ?? '').trim();
  const [first = '', ...others] = rest.split(/\s+/);
  const remainder = rest.slice(first.length).trim();

  switch (name) {
    case 'join':
    case 'j':
      return first ? { kind: 'join', room: first } : usage('/join ROOM');
    case 'leave':
    case 'part':
      return { kind: 'leave', room: first || null };
    case 'nick':
      return first && others.length === 0 ? { kind: 'nick', nick: first } : usage('/nick NAME');
    case 'me':
      return rest ? { kind: 'me', text: rest } : usage('/me TEXT');
    case 'msg':
    case 'query':
      if (!first) {
        return usage('/msg NICK TEXT');
      }
      return remainder ? { kind: 'msg', nick: first, text: remainder } : { kind: 'open', nick: first };
    case 'topic':
      return rest ? { kind: 'set-topic', text: rest } : { kind: 'topic' };
    case 'kick':
      return first ? { kind: 'kick', nick: first, reason: remainder || null } : usage('/kick NICK [REASON]');
    case 'ban':
      return first && others.length === 0 ? { kind: 'ban', nick: first } : usage('/ban NICK');
    case 'who':
    case 'names':
      return { kind: 'who', room: first || null };
    case 'rooms':
    case 'list':
      return { kind: 'rooms' };
    case 'help':
    case '?':
      return { kind: 'help' };
    default:
      return { kind: 'error', text: `Unknown command /${name}. Type /help for the list.` };
  }
}

const usage = (form) => ({ kind: 'error', text: `Usage: ${form}` });
