// Formatting shared by the chat and admin pages.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

export const formatTime = (date) => timeFormat.format(date);

export const formatFull = (date) => fullFormat.format(date);

export function formatDay(date) {
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (sameDay(date, today)) {
    return 'Today';
  }
  if (sameDay(date, yesterday)) {
    return 'Yesterday';
  }
  return dayFormat.format(date);
}

export const sameDay = (a, b) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** A stable colour slot (0–7) per nick, so a person keeps the same colour everywhere. */
export function colorSlot(nick) {
  let hash = 0;
  for (const ch of nick.toLowerCase()) {
    hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  }
  return hash % 8;
}

/** One or two letters for an avatar. */
export function initials(nick) {
  const parts = nick.split(/[-_]/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : nick.slice(0, 2);
  return letters.toUpperCase();
}

export const viaLabels = {
  tcp: 'Connected over raw TCP (nc/telnet)',
  ws: 'Connected over a raw WebSocket',
  web: 'Connected from a browser',
  api: 'Posted through the REST API',
  irc: 'Connected with an IRC client',
  bridge: 'A bridge to another socket service',
  device: 'A device on a device port',
};
