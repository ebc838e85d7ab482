// The SignalR browser client from npm (@microsoft/signalr, copied to /lib by the build) as a module export.
const client = globalThis.signalR;
if (!client) {
  throw new Error('The SignalR client (lib/signalr/signalr.min.js) did not load.');
}

export const signalR = client;
