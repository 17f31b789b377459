import './style.css';
import './forms.css';
import { ApiError, api, currentKey, errorText, type Me, setKey } from './api.js';
import { h } from './dom.js';
import { auditView } from './views/audit.js';
import { healthView } from './views/health.js';
import { incidentsView } from './views/incidents.js';
import { keysView } from './views/keys.js';
import { logsView } from './views/logs.js';
import { playgroundView } from './views/playground.js';
import { providersView } from './views/providers.js';
import { quotasView } from './views/quotas.js';
import { routingView } from './views/routing.js';
import type { View } from './views/types.js';
import { usageView } from './views/usage.js';

/** The views, and the access class each needs to appear at all. */
const VIEWS: { id: string; label: string; view: View; needs: string }[] = [
  { id: 'providers', label: 'Providers', view: providersView, needs: 'read' },
  { id: 'health', label: 'Health timeline', view: healthView, needs: 'read' },
  { id: 'incidents', label: 'Incidents', view: incidentsView, needs: 'read' },
  { id: 'logs', label: 'Request logs', view: logsView, needs: 'read' },
  { id: 'usage', label: 'Usage & cost', view: usageView, needs: 'read' },
  { id: 'quotas', label: 'Quotas', view: quotasView, needs: 'read' },
  { id: 'routing', label: 'Routing rules', view: routingView, needs: 'read' },
  { id: 'keys', label: 'API keys & teams', view: keysView, needs: 'secrets' },
  { id: 'audit', label: 'Audit log', view: auditView, needs: 'read' },
  { id: 'playground', label: 'Playground', view: playgroundView, needs: 'invoke' },
];

const app = document.getElementById('app')!;

/**
 * Who the key is. A gateway without `GET /api/me` (404) is treated as allowing everything: the
 * console then shows every control and the API refuses what the key may not do.
 */
async function whoAmI(): Promise<Me> {
  try {
    return await api<Me>('GET', '/api/me');
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    await api('GET', '/api/health/summary');
    return {
      key_id: '',
      name: 'unknown key',
      role: 'unknown',
      team_id: null,
      provider_ids: null,
      model_ids: null,
      permissions: ['read', 'write', 'secrets', 'invoke'],
    };
  }
}

function login(message = ''): void {
  const status = h('p', { role: 'alert', class: 'error', id: 'login-error' }, message);
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'key-help login-error',
  });
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'AI gateway operator console'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'key-help', class: 'help' },
      'Kept in this tab’s session storage only: it survives a reload and is forgotten when the tab closes or you sign out. Never stored in local storage or cookies.',
    ),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setKey(input.value.trim());
    try {
      const me = await whoAmI();
      input.value = '';
      shell(me);
    } catch (error) {
      setKey(undefined);
      status.textContent =
        error instanceof ApiError && error.status === 401
          ? 'That key was not accepted.'
          : `Sign-in failed: ${errorText(error)}`;
      input.focus();
    }
  });
  app.replaceChildren(h('main', { id: 'main' }, form));
  input.focus();
}

function signOutNow(): void {
  setKey(undefined);
  login();
}

function scopeText(me: Me): string {
  const parts = [`Signed in as ${me.name} (${me.role})`];
  if (me.team_id) parts.push(`team ${me.team_id}`);
  if (me.provider_ids) parts.push(`providers limited to ${me.provider_ids.join(', ')}`);
  if (me.model_ids) parts.push(`models limited to ${me.model_ids.join(', ')}`);
  if (!me.permissions.includes('write')) parts.push('read-only');
  parts.push('key kept for this tab only (session storage)');
  return parts.join(' · ');
}

function shell(me: Me): void {
  const can = (p: string) => me.permissions.includes(p);
  const views = VIEWS.filter((v) => can(v.needs));
  const main = h('main', { id: 'main', tabindex: -1 });
  const buttons = views.map((v) =>
    h('button', { type: 'button', 'data-view': v.id, onclick: () => show(v.id) }, v.label),
  );
  const signOut = h('button', { type: 'button', class: 'signout', onclick: signOutNow }, 'Sign out');
  const show = async (id: string): Promise<void> => {
    const entry = views.find((v) => v.id === id) ?? views[0];
    if (!entry) {
      main.replaceChildren(h('p', { class: 'empty' }, 'This key may not read any part of the console.'));
      return;
    }
    for (const b of buttons) {
      if (b.dataset.view === entry.id) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
    // A refresh rebuilds the view; keyboard focus returns to the control that caused it.
    const focused =
      document.activeElement instanceof HTMLElement && main.contains(document.activeElement)
        ? document.activeElement.id
        : '';
    main.replaceChildren(h('h2', {}, entry.label), h('p', { role: 'status' }, 'Loading…'));
    main.setAttribute('aria-busy', 'true');
    try {
      const content = await entry.view({ refresh: () => void show(entry.id), me, can });
      main.replaceChildren(h('h2', {}, entry.label), content);
    } catch (error) {
      main.replaceChildren(
        h('h2', {}, entry.label),
        h('p', { role: 'alert', class: 'error' }, errorText(error)),
      );
      if (error instanceof ApiError && error.status === 401) {
        setKey(undefined);
        setTimeout(() => login('The key is no longer accepted; sign in again.'), 1500);
      }
    }
    main.removeAttribute('aria-busy');
    if (focused) document.getElementById(focused)?.focus();
  };
  app.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, 'AI gateway'),
      h('nav', { 'aria-label': 'Views' }, ...buttons),
      h('p', { class: 'whoami', id: 'whoami' }, scopeText(me)),
      signOut,
    ),
    main,
  );
  void show(views[0]?.id ?? '');
}

async function start(): Promise<void> {
  if (!currentKey()) return login();
  try {
    shell(await whoAmI());
  } catch {
    setKey(undefined);
    login('The saved key is no longer accepted; sign in again.');
  }
}

void start();
