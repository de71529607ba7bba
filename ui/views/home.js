// The signed-in frame: navigation on the left, the account on the right.

import { h } from '../dom.js';

/** session: SessionInfo from the Rust side; onSignOut(): a promise. */
export function homeView({ session, onSignOut }) {
  const org = session.organizationName ?? 'No organisation';
  const signOut = h('button', { id: 'sign-out', type: 'button', class: 'button secondary' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    try {
      await onSignOut();
    } catch {
      signOut.disabled = false;
    }
  });

  const nav = h('nav', { class: 'sidebar', 'aria-label': 'Main' },
    h('div', { class: 'sidebar-brand' },
      h('img', { src: 'assets/mark.svg', alt: '', width: '28', height: '28' }),
      h('span', {}, 'Scriptix Reseller')),
    h('ul', { class: 'nav-list' },
      h('li', {}, h('a', { href: '#account', class: 'nav-item', 'aria-current': 'page', id: 'nav-account' }, 'Account'))),
    h('div', { class: 'sidebar-foot' },
      session.demo && h('span', { id: 'demo-badge', class: 'badge badge-demo', title: 'Sample data from a local sandbox' }, 'Demo'),
      h('span', { class: 'sidebar-user', title: session.email }, session.displayName)));

  const details = h('dl', { class: 'details' },
    h('dt', {}, 'Email'), h('dd', { id: 'signed-in-email' }, session.email),
    h('dt', {}, 'Organisation'), h('dd', {}, session.organizationId != null ? `${org} (#${session.organizationId})` : org),
    h('dt', {}, 'Roles'), h('dd', { id: 'signed-in-roles' }, session.roles.length ? session.roles.join(', ') : '—'),
    h('dt', {}, 'API address'), h('dd', { id: 'signed-in-base-url', class: 'mono' }, session.baseUrl));

  const main = h('main', { class: 'content', id: 'content' },
    h('header', { class: 'page-head' },
      h('h1', {}, 'Account'),
      session.demo && h('span', { class: 'badge badge-demo' }, 'Demo mode')),
    session.demo && h('div', { class: 'banner banner-info', id: 'demo-note' },
      h('strong', {}, 'You are exploring the demo. '),
      'The data comes from a sandbox running on this computer; nothing you do here reaches Scriptix.'),
    h('section', { class: 'card', 'aria-labelledby': 'signed-in-line' },
      h('p', { class: 'signed-in-line', id: 'signed-in-line' },
        'Signed in as ',
        h('strong', { id: 'signed-in-name' }, session.displayName),
        h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '),
        h('span', { id: 'signed-in-org' }, org)),
      details,
      h('div', { class: 'actions' }, signOut)));

  return {
    name: 'home',
    el: h('div', { class: 'shell', id: 'signed-in', dataset: { demo: String(session.demo) } }, nav, main),
  };
}
