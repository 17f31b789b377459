import { api, list } from '../api.js';
import { action, empty, h, pill, secretOnce, table, when } from '../dom.js';
import { apiForm, confirmButton, type FieldSpec, openDialog } from '../forms.js';
import { pagedTable } from '../paged.js';
import type { ViewContext } from './types.js';

interface Key {
  id: string;
  name: string;
  role: string;
  status: string;
  key_hint: string;
  team_id: string | null;
  provider_ids: string[] | null;
  model_ids: string[] | null;
  expires_at: string | null;
  rate_limit_rpm: number | null;
  rate_limit_tpm: number | null;
  last_used_at: string | null;
  version: number;
}
interface Team {
  id: string;
  name: string;
  provider_ids: string[] | null;
  model_ids: string[] | null;
  rate_limit_rpm: number | null;
  rate_limit_tpm: number | null;
  version: number;
}
type Opt = [string, string];

/** Comma- or space-separated ids as a list, or undefined when none (an unscoped key or team). */
function ids(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : [];
  return list.length ? list : undefined;
}

function scopeFields(providers: Opt[]): FieldSpec[] {
  return [
    {
      name: 'provider_ids',
      label: 'Providers (none selected: all)',
      type: 'select',
      multiple: true,
      options: providers,
    },
    {
      name: 'model_ids',
      label: 'Model ids (comma-separated; empty: all)',
      help: 'e.g. gpt-4o, claude-sonnet',
    },
  ];
}

/** Shows a new secret once, then redraws the list when the dialog closes. */
function showSecret(title: string, key: string, refresh: () => void, opener: HTMLElement, extra = ''): void {
  const body = h('div', {}, secretOnce('New secret', key), extra ? h('p', { class: 'help' }, extra) : null);
  openDialog(title, body, opener);
  body.closest('dialog')?.addEventListener('close', refresh);
}

function createKey(ctx: ViewContext, providers: Opt[], teams: Opt[], opener: HTMLElement): void {
  let close = () => {};
  const form = apiForm(
    'Create an API key',
    [
      { name: 'name', label: 'Name', required: true },
      {
        name: 'role',
        label: 'Role',
        type: 'select',
        value: 'invoke',
        options: [
          ['invoke', 'invoke — AI calls only'],
          ['viewer', 'viewer — read only'],
          ['operator', 'operator — read and change configuration'],
          ['admin', 'admin — everything, including keys and credentials'],
        ],
      },
      { name: 'team_id', label: 'Team', type: 'select', options: [['', 'No team'], ...teams] },
      ...scopeFields(providers),
      { name: 'rate_limit_rpm', label: 'Requests per minute (empty: no limit)', type: 'number' },
      { name: 'expires_at', label: 'Expires at (ISO time; empty: never)', help: 'e.g. 2027-01-31T00:00:00Z' },
    ],
    'Create key',
    async (body) => {
      body.model_ids = ids(body.model_ids);
      const made = await api<{ key: string; name: string }>('POST', '/api/keys', body);
      close();
      showSecret(`Key “${made.name}” created`, made.key, ctx.refresh, opener);
    },
  );
  close = openDialog('Create an API key', form, opener);
}

/** The fields of `body` that differ from `current` (an emptied field is `null`: it clears the value). */
function changesOf<T extends object>(
  current: T,
  body: Record<string, unknown>,
  fields: Array<keyof T & string>,
) {
  const changed: Record<string, unknown> = {};
  for (const k of fields) {
    const next = body[k] ?? null;
    if (next !== current[k]) changed[k] = next;
  }
  return changed;
}

/** Renames a team or changes its limits (an emptied field clears a limit); only changes are sent. */
function editTeam(ctx: ViewContext, team: Team, opener: HTMLElement): void {
  let close = () => {};
  const form = apiForm(
    `Edit team ${team.name}`,
    [
      { name: 'name', label: 'Name', required: true, value: team.name },
      {
        name: 'rate_limit_rpm',
        label: 'Requests per minute for all its keys (empty: no limit)',
        type: 'number',
        value: team.rate_limit_rpm,
      },
      {
        name: 'rate_limit_tpm',
        label: 'Tokens per minute for all its keys (empty: no limit)',
        type: 'number',
        value: team.rate_limit_tpm,
      },
    ],
    'Save',
    async (body) => {
      const changed = changesOf(team, body, ['name', 'rate_limit_rpm', 'rate_limit_tpm']);
      if (Object.keys(changed).length > 0) {
        await api('PATCH', `/api/teams/${team.id}`, { ...changed, version: team.version });
      }
      close();
      ctx.refresh();
    },
  );
  close = openDialog(`Edit team ${team.name}`, form, opener);
}

/** Renames a key or changes its limits or expiry (an emptied field clears it); only changes are sent. */
function editKey(ctx: ViewContext, key: Key, opener: HTMLElement): void {
  let close = () => {};
  const form = apiForm(
    `Edit ${key.name}`,
    [
      { name: 'name', label: 'Name', required: true, value: key.name },
      {
        name: 'rate_limit_rpm',
        label: 'Requests per minute (empty: no limit)',
        type: 'number',
        value: key.rate_limit_rpm,
      },
      {
        name: 'rate_limit_tpm',
        label: 'Tokens per minute (empty: no limit)',
        type: 'number',
        value: key.rate_limit_tpm,
      },
      {
        name: 'expires_at',
        label: 'Expires at (ISO time; empty: never)',
        value: key.expires_at,
        help: 'e.g. 2027-01-31T00:00:00Z',
      },
    ],
    'Save',
    async (body) => {
      const changed = changesOf(key, body, ['name', 'rate_limit_rpm', 'rate_limit_tpm', 'expires_at']);
      if (Object.keys(changed).length > 0) {
        await api('PATCH', `/api/keys/${key.id}`, { ...changed, version: key.version });
      }
      close();
      ctx.refresh();
    },
  );
  close = openDialog(`Edit ${key.name}`, form, opener);
}

function rotateKey(ctx: ViewContext, key: Key, opener: HTMLElement): void {
  let close = () => {};
  const form = apiForm(
    `Rotate ${key.name}`,
    [
      {
        name: 'grace_seconds',
        label: 'Seconds the old secret keeps working',
        type: 'number',
        value: 0,
        help: '0 to 3600; 0 stops the old secret at once.',
      },
    ],
    'Rotate',
    async (body) => {
      const grace = body.grace_seconds ?? 0;
      const made = await api<{ key: string; previous_key_valid_until: string | null }>(
        'POST',
        `/api/keys/${key.id}/rotate?grace_seconds=${encodeURIComponent(String(grace))}`,
      );
      close();
      const until = made.previous_key_valid_until;
      showSecret(
        `Key “${key.name}” rotated`,
        made.key,
        ctx.refresh,
        opener,
        until ? `The old secret works until ${when(until)}.` : 'The old secret no longer works.',
      );
    },
  );
  close = openDialog(`Rotate key “${key.name}”`, form, opener);
}

function createTeam(ctx: ViewContext, providers: Opt[], opener: HTMLElement): void {
  let close = () => {};
  const form = apiForm(
    'Create a team',
    [
      { name: 'name', label: 'Team name', required: true },
      ...scopeFields(providers),
      {
        name: 'rate_limit_rpm',
        label: 'Requests per minute for all its keys (empty: no limit)',
        type: 'number',
      },
    ],
    'Create team',
    async (body) => {
      body.model_ids = ids(body.model_ids);
      await api('POST', '/api/teams', body);
      close();
      ctx.refresh();
    },
  );
  close = openDialog('Create a team', form, opener);
}

/** API keys (create with the secret shown once, rotate, revoke) and teams with their keys. */
export async function keysView(ctx: ViewContext): Promise<HTMLElement> {
  const [keys, teams, providers] = await Promise.all([
    list<Key>('/api/keys?limit=100'),
    list<Team>('/api/teams?limit=100'),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
  ]);
  const names = new Map(providers.data.map((p) => [p.id, p.name]));
  const teamNames = new Map(teams.data.map((t) => [t.id, t.name]));
  const providerOpts: Opt[] = providers.data.map((p) => [p.id, p.name]);
  const teamOpts: Opt[] = teams.data.map((t) => [t.id, t.name]);
  const scope = (p: string[] | null, m: string[] | null) =>
    [
      p ? `providers: ${p.map((id) => names.get(id) ?? id).join(', ')}` : '',
      m ? `models: ${m.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ') || 'all';
  const keyCells = (k: Key) => [
    h('span', { class: 'strong' }, k.name),
    k.role,
    pill(k.status),
    h('code', {}, k.key_hint),
    k.team_id ? (teamNames.get(k.team_id) ?? k.team_id) : '—',
    scope(k.provider_ids, k.model_ids),
    when(k.last_used_at),
    k.status === 'active'
      ? h(
          'span',
          { class: 'actions' },
          action('Edit', `Edit ${k.name}`, (b) => editKey(ctx, k, b)),
          action('Rotate', `Rotate ${k.name}`, (b) => rotateKey(ctx, k, b)),
          confirmButton(
            'Revoke',
            `Revoke ${k.name}`,
            `Revoke “${k.name}”? Every secret of this key stops working at once.`,
            async () => {
              await api('DELETE', `/api/keys/${k.id}`);
              ctx.refresh();
            },
          ),
        )
      : '—',
  ];
  const teamRows = teams.data.map((t) => {
    const members = keys.data.filter((k) => k.team_id === t.id);
    return [
      h('span', { class: 'strong' }, t.name),
      scope(t.provider_ids, t.model_ids),
      t.rate_limit_rpm ?? 'none',
      members.length ? members.map((k) => k.name).join(', ') : 'no keys',
      h(
        'span',
        { class: 'actions' },
        action('Edit', `Edit team ${t.name}`, (b) => editTeam(ctx, t, b)),
        confirmButton(
          'Delete',
          `Delete team ${t.name}`,
          `Delete team “${t.name}”? A team with active keys is refused: revoke them first.`,
          async () => {
            await api('DELETE', `/api/teams/${t.id}`);
            ctx.refresh();
          },
        ),
      ),
    ];
  });
  return h(
    'div',
    {},
    h(
      'section',
      { 'aria-labelledby': 'keys-title' },
      h('h3', { id: 'keys-title' }, 'API keys'),
      h(
        'div',
        { class: 'toolbar' },
        action('Create key', 'Create key', (b) => createKey(ctx, providerOpts, teamOpts, b)),
      ),
      keys.data.length
        ? pagedTable({
            caption: (n, more) => `${n} key(s)${more ? ' (more to show)' : ''}`,
            head: ['Name', 'Role', 'Status', 'Secret hint', 'Team', 'Scope', 'Last used', 'Actions'],
            first: keys,
            cells: keyCells,
            path: (cursor) => `/api/keys?limit=100&cursor=${encodeURIComponent(cursor)}`,
          })
        : empty('No API keys yet besides the bootstrap admin key.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'teams-title' },
      h('h3', { id: 'teams-title' }, 'Teams'),
      h(
        'div',
        { class: 'toolbar' },
        action('Create team', 'Create team', (b) => createTeam(ctx, providerOpts, b)),
      ),
      teams.data.length
        ? table(
            `${teams.data.length} team(s)`,
            ['Team', 'Scope', 'Requests per minute', 'Keys', 'Actions'],
            teamRows,
          )
        : empty('No teams yet. A team groups keys under one scope, limits and budget.'),
    ),
  );
}
