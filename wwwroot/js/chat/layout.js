// Narrow screens: the room list and the member list slide over the conversation. Wide screens: the member list
// is a column that can be hidden.
import { byId } from '../shared/dom.js';

const isWide = () => window.matchMedia('(min-width: 1100px)').matches;

export class Layout {
  constructor(onClose) {
    this.app = byId('app');
    this.scrim = byId('scrim');
    this.sidebarOpen = byId('sidebar-open');
    this.membersToggle = byId('members-toggle');

    this.sidebarOpen.addEventListener('click', () => {
      this.set('sidebar');
      byId('room-list').querySelector('button')?.focus();
    });
    byId('sidebar-close').addEventListener('click', () => {
      this.set('none');
      this.sidebarOpen.focus();
    });
    this.membersToggle.addEventListener('click', () => {
      if (isWide()) {
        this.app.classList.toggle('members-hidden');
        this.set('none');
      } else {
        this.set(this.app.dataset.panel === 'members' ? 'none' : 'members');
        if (this.app.dataset.panel === 'members') {
          byId('member-list').querySelector('button')?.focus();
        }
      }
    });
    byId('members-close').addEventListener('click', () => {
      if (isWide()) {
        this.app.classList.add('members-hidden');
      }
      this.set('none');
      this.membersToggle.focus();
    });
    this.scrim.addEventListener('click', () => this.set('none'));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.app.dataset.panel !== 'none') {
        this.set('none');
        onClose();
      }
    });
    this.set('none');
  }

  closePanels() {
    this.set('none');
  }

  set(panel) {
    this.app.dataset.panel = panel;
    this.scrim.hidden = panel === 'none';
    this.sidebarOpen.setAttribute('aria-expanded', String(panel === 'sidebar'));
    const membersShown = panel === 'members' || (panel === 'none' && isWide() && !this.app.classList.contains('members-hidden'));
    this.membersToggle.setAttribute('aria-expanded', String(membersShown));
  }
}
