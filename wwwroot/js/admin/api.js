// The REST API as the admin page uses it: JSON in and out, the key from this tab's session storage.

const KEY_STORAGE = 'socketgateway.adminKey';

export const adminKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE) ?? '',
  set: (key) => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE)),
};

export class ApiError extends Error {
  constructor(status, code, text) {
    super(text);
    this.status = status;
    this.code = code;
    this.text = text;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const key = adminKey.get();
  // Reads too: bridges are the admin's alone, and the admin sees private rooms.
  if (key) {
    headers['X-Api-Key'] = key;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'offline', 'The gateway did not answer. Is it running?');
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    const code = problem?.code ?? `http_${response.status}`;
    throw new ApiError(response.status, code, explain(code, problem?.detail ?? problem?.title ?? response.statusText));
  }
  return response.status === 204 ? null : response.json();
}

function explain(code, detail) {
  switch (code) {
    case 'unauthorized':
      return `Not authorized (${detail}). Enter the gateway's admin key above.`;
    case 'forbidden':
      return `Forbidden: ${detail}`;
    default:
      return `${detail} (${code})`;
  }
}

export const room = (name) => `/api/rooms/${encodeURIComponent(name)}`;

export const bridge = (id) => `/api/bridges/${encodeURIComponent(id)}`;
