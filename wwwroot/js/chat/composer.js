// The message box: Enter sends, Shift+Enter adds a line; the server's refusals are shown under it.
import { byId } from '../shared/dom.js';
import { describeError } from '../shared/errors.js';
import { parseInput } from './commands.js';
import { MAX_MESSAGE } from './actions.js';

export class Composer {
  /** @param {(command: object) => Promise<void>} run */
  constructor(store, run) {
    this.store = store;
    this.run = run;
    this.form = byId('composer');
    this.input = /** @type {HTMLTextAreaElement} */ (byId('composer-input'));
    this.label = byId('composer-label');
    this.error = byId('composer-error');
    this.count = byId('composer-count');
    this.send = byId('send-button');

    this.input.addEventListener('input', () => {
      this.setError('');
      this.autosize();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    store.addEventListener('active', () => this.renderLabel());
    this.renderLabel();
    this.autosize();
  }

  async submit() {
    const line = this.input.value;
    if (!line.trim()) {
      return;
    }
    const command = parseInput(line);
    if (command.kind === 'error') {
      this.setError(command.text);
      return;
    }
    this.send.disabled = true;
    try {
      await this.run(command);
      this.input.value = '';
      this.autosize();
      this.setError('');
    } catch (error) {
      // The text stays in the box, so nothing typed is lost.
      this.setError(describeError(error).text);
    } finally {
      this.send.disabled = false;
      this.input.focus();
    }
  }

  /** Focuses the box on devices with a pointer; on touch screens that would pop up the keyboard uninvited. */
  focus() {
    if (window.matchMedia('(pointer: fine)').matches) {
      this.input.focus();
    }
  }

  /** Puts a command in the box for the user to finish (the header's "Edit topic"). */
  prefill(text) {
    this.input.value = text;
    this.autosize();
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
  }

  renderLabel() {
    const conv = this.store.active;
    this.label.textContent = conv ? `Message ${conv.kind === 'room' ? '#' : '@'}${conv.name}` : 'Message';
    this.input.placeholder = this.label.textContent;
  }

  setError(text) {
    this.error.textContent = text;
    this.input.toggleAttribute('aria-invalid', Boolean(text));
  }

  autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 180)}px`;
    const length = [...this.input.value.trim()].length;
    this.count.hidden = length < MAX_MESSAGE * 0.8;
    this.count.textContent = `${length} / ${MAX_MESSAGE}`;
    this.count.classList.toggle('is-over', length > MAX_MESSAGE);
  }
}
