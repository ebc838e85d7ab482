// The website's token, for signing in: from the page's fragment (/#token=JWT, which browsers never send to a server,
// so it reaches no log), or handed over by the site that opened or embeds the page (window.postMessage). It is kept
// for this tab only (sessionStorage), so a reload stays signed in, and the fragment is wiped from the address bar.

const TOKEN_KEY = 'socketgateway.token';
export const TOKEN_MESSAGE = 'socketgateway:token';

/** The token the page was opened with or last given in this tab, or null. */
export function initialToken() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const fromFragment = params.get('token');
  if (fromFragment) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
    remember(fromFragment);
    return fromFragment;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/**
 * Calls back with each token the opener or the embedding page posts: `{type: 'socketgateway:token', token}`. Only
 * those windows are listened to; any other page would need a token the website signed anyway.
 */
export function listenForTokens(onToken) {
  window.addEventListener('message', (event) => {
    const trusted = event.source === window.parent || (window.opener && event.source === window.opener);
    if (trusted && event.data?.type === TOKEN_MESSAGE && typeof event.data.token === 'string' && event.data.token) {
      remember(event.data.token);
      onToken(event.data.token);
    }
  });
}

/** The token was refused (expired, wrong key): it is not offered again. */
export function forgetToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage turned off: nothing was kept.
  }
}

function remember(token) {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage turned off: the token lasts as long as the page.
  }
}
