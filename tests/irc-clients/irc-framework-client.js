// Drives one irc-framework client (the library behind Kiwi IRC) for the gateway's IRC tests: it connects, registers
// with CAP as the library does by itself, and then does what each JSON line on stdin says, printing every event it
// gets as one JSON line on stdout. Usage: node irc-framework-client.js HOST PORT NICK
'use strict';
const readline = require('readline');
const { Client } = require('irc-framework');

const [host, port, nick] = process.argv.slice(2);
const client = new Client({ auto_reconnect: false, ping_interval: 0, ping_timeout: 0 });
const emit = (event, fields) => process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');

client.on('registered', (e) => emit('registered', { nick: e.nick, caps: client.network.cap.enabled }));
client.on('join', (e) => emit('join', { nick: e.nick, ident: e.ident, channel: e.channel }));
client.on('part', (e) => emit('part', { nick: e.nick, channel: e.channel }));
client.on('quit', (e) => emit('quit', { nick: e.nick, message: e.message }));
client.on('nick', (e) => emit('nick', { nick: e.nick, newNick: e.new_nick }));
client.on('userlist', (e) => emit('userlist', { channel: e.channel, users: e.users.map((u) => (u.modes.includes('o') ? '@' : '') + u.nick) }));
client.on('topic', (e) => emit('topic', { channel: e.channel, topic: e.topic }));
client.on('action', (e) => emit('action', { nick: e.nick, ident: e.ident, target: e.target, message: e.message, time: e.time || null, tags: e.tags }));
client.on('privmsg', (e) => emit('privmsg', { nick: e.nick, ident: e.ident, target: e.target, message: e.message, time: e.time || null, tags: e.tags }));
client.on('pong', (e) => emit('pong', { message: e.message }));
client.on('irc error', (e) => emit('error', { error: e.error, reason: e.reason }));
client.on('close', () => {
  emit('close', {});
  process.exit(0);
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line);
  switch (command.do) {
    case 'join': client.join(command.channel); break;
    case 'say': client.say(command.target, command.text); break;
    case 'action': client.action(command.target, command.text); break;
    case 'names': client.raw('NAMES', command.channel); break;
    case 'ping': client.ping(command.text); break;
    case 'quit': client.quit(command.text); break;
    default: emit('error', { error: 'unknown command', reason: line });
  }
});

client.connect({ host, port: Number(port), nick, username: nick, gecos: nick, enable_echomessage: false });
