import './style.css';
import { ApiError, api, setKey } from './api.js';
import { h } from './dom.js';
import { auditView } from './views/audit.js';
import { healthView } from './views/health.js';
import { incidentsView } from './views/incidents.js';
import { providersView } from './views/providers.js';
import { quotasView } from './views/quotas.js';
import { routingView } from './views/routing.js';
import { usageView } from './views/usage.js';

/** A view renders its section's content; it may call `refresh` after a change. */
export type View = (refresh: () => void) => Promise<HTMLElement>;

const VIEWS: { id: string; label: string; view: View }[] = [
  { id: 'providers', label: 'Providers', view: providersView },
  { id: 'health', label: 'Health timeline', view: healthView },
  { id: 'incidents', label: 'Incidents', view: incidentsView },
  { id: 'usage', label: 'Usage & cost', view: usageView },
  { id: 'quotas', label: 'Quotas', view: quotasView },
  { id: 'routing', label: 'Routing rules', view: routingView },
  { id: 'audit', label: 'Audit log', view: auditView },
];

const app = document.getElementById('app')!;

function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.status} ${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

function login(): void {
  const status = h('p', { role: 'alert', class: 'error', id: 'login-error' });
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
    h('h1', { id: 'login-title' }, 'AI gateway operator dashboard'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { id: 'key-help', class: 'help' }, 'Kept in this tab’s memory only; reloading signs you out.'),
    h('button', { type: 'submit' }, 'Sign in'),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setKey(input.value.trim());
    try {
      await api('GET', '/api/health/summary');
      input.value = '';
      shell();
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

function shell(): void {
  const main = h('main', { id: 'main', tabindex: -1 });
  const buttons = VIEWS.map((v) =>
    h('button', { type: 'button', 'data-view': v.id, onclick: () => show(v.id) }, v.label),
  );
  const signOut = h('button', { type: 'button', class: 'signout', onclick: signOutNow }, 'Sign out');
  const show = async (id: string): Promise<void> => {
    const entry = VIEWS.find((v) => v.id === id) ?? VIEWS[0]!;
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
      const content = await entry.view(() => void show(entry.id));
      main.replaceChildren(h('h2', {}, entry.label), content);
    } catch (error) {
      main.replaceChildren(
        h('h2', {}, entry.label),
        h('p', { role: 'alert', class: 'error' }, errorText(error)),
      );
      if (error instanceof ApiError && error.status === 401) setTimeout(login, 1500);
    }
    main.removeAttribute('aria-busy');
    if (focused) document.getElementById(focused)?.focus();
  };
  app.replaceChildren(
    h('header', {}, h('h1', {}, 'AI gateway'), h('nav', { 'aria-label': 'Views' }, ...buttons), signOut),
    main,
  );
  void show('providers');
}

login();
