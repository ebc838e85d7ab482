// Turns failures from the hub or the REST API into { code, text } for inline display.

const hubError = /HubException: ([a-z_]+): ([\s\S]*)$/;

export function describeError(error) {
  if (error && typeof error === 'object' && 'code' in error && 'text' in error) {
    return { code: error.code, text: error.text };
  }
  const raw = error instanceof Error ? error.message : String(error);
  const match = hubError.exec(raw);
  if (match) {
    return { code: match[1], text: sentence(match[2]) };
  }
  if (/not in the 'Connected' State|connection was stopped|Failed to fetch|WebSocket closed/i.test(raw)) {
    return { code: 'offline', text: 'Not connected to the server right now.' };
  }
  return { code: 'error', text: raw || 'Something went wrong.' };
}

/** The server's texts start in lower case (they follow an error code); shown alone they read as a sentence. */
const sentence = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);
