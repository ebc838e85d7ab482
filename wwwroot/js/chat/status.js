// Connection state on screen (pill, banner, the page's data-connection attribute) and short notifications.
import { h, byId } from '../shared/dom.js';

const texts = {
  connecting: ['Connecting…', 'Connecting to the chat server…'],
  connected: ['Connected', ''],
  reconnecting: ['Reconnecting…', 'Connection lost. Reconnecting…'],
  restoring: ['Reconnecting…', 'Reconnected. Restoring your nick and rooms…'],
  gone: ['Offline', 'The chat server is not reachable. Check that it is running, then try again.'],
};

export class ConnectionStatus {
  /** @param {import('./store.js').ChatStore} store */
  constructor(store, retry) {
    this.store = store;
    this.app = byId('app');
    this.pillText = byId('connection-text');
    this.banner = byId('connection-banner');
    this.bannerText = byId('connection-banner-text');
    this.retry = byId('retry-button');
    this.retry.addEventListener('click', retry);
    store.addEventListener('connection', (e) => this.render(e.detail));
  }

  render(detail) {
    const state = this.store.connection;
    const [pill, banner] = texts[state];
    this.app.dataset.connection = state;
    this.pillText.textContent = pill;
    let message = banner;
    if (state === 'connecting' && detail.failed) {
      message = detail.failed > 2
        ? 'The chat server is not answering. Still trying…'
        : 'Could not reach the chat server. Retrying…';
    }
    this.bannerText.textContent = message;
    this.banner.hidden = !message;
    this.banner.dataset.tone = state === 'gone' || detail.failed > 2 ? 'error' : 'warn';
    this.retry.hidden = state !== 'gone';
  }
}

export class Toasts {
  constructor() {
    this.host = byId('toasts');
  }

  /** @param {'info'|'warn'|'error'|'ok'} tone */
  show(text, tone = 'info', onOpen = null, key = null) {
    if (key) {
      this.dismiss(key);
    }
    const toast = h('div', { class: `toast toast-${tone}`, role: tone === 'error' ? 'alert' : 'status', dataset: key ? { key } : {} },
      h('span', { class: 'toast-text', text }),
      onOpen ? h('button', { class: 'button button-small', type: 'button', text: 'Open', onclick: () => { onOpen(); dismiss(); } }) : null,
      h('button', { class: 'icon-button toast-close', type: 'button', 'aria-label': 'Dismiss', text: '×', onclick: () => dismiss() }));
    const dismiss = () => toast.remove();
    this.host.append(toast);
    while (this.host.children.length > 4) {
      this.host.firstElementChild?.remove();
    }
    window.setTimeout(dismiss, tone === 'error' ? 9000 : 6000);
  }

  /** Removes the notifications about a conversation once it is on screen. */
  dismiss(key) {
    for (const toast of this.host.querySelectorAll('.toast[data-key]')) {
      if (toast.dataset.key === key) {
        toast.remove();
      }
    }
  }
}
