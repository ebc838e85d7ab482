// How the admin page's forms report: a status line per form, buttons disabled while a request runs.
import { byId } from '../shared/dom.js';

export function say(id, text, tone = 'ok') {
  const node = byId(id);
  node.textContent = text;
  node.dataset.tone = tone;
  node.setAttribute('role', tone === 'error' ? 'alert' : 'status');
}

export const fail = (id) => (error) => say(id, error.text ?? error.message ?? String(error), 'error');

function busy(form, on) {
  for (const button of form.querySelectorAll('button')) {
    button.disabled = on;
  }
}

/** Runs a form's action with its buttons disabled and its result shown in its status line. */
export function handle(formId, statusId, action) {
  const form = byId(formId);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    busy(form, true);
    say(statusId, '');
    try {
      await action();
    } catch (error) {
      fail(statusId)(error);
    } finally {
      busy(form, false);
    }
  });
}
