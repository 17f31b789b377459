import { api, list } from '../api.js';
import { action, empty, h, pill, when } from '../dom.js';
import { apiForm, openDialog } from '../forms.js';
import { pagedTable } from '../paged.js';
import type { ViewContext } from './types.js';

interface Incident {
  id: string;
  provider_id: string;
  title: string;
  severity: string;
  status: 'open' | 'acknowledged' | 'resolved';
  source: string;
  opened_at: string;
  duration_seconds: number;
  version: number;
  timeline?: { at: string; type: string; actor: string; note: string | null }[];
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Incidents newest first; open ones can be acknowledged and any unresolved one resolved. */
/** The incident's notes so far, and a form that appends one to its timeline. */
function notes(inc: Incident, refresh: () => void, opener: HTMLElement, write: boolean): void {
  let close = () => {};
  const earlier = (inc.timeline ?? []).filter((t) => t.note);
  const form = apiForm(
    `Add a note to ${inc.title}`,
    [
      {
        name: 'note',
        label: 'Note',
        type: 'textarea',
        required: true,
        help: 'Up to 2000 characters; added to the timeline.',
      },
    ],
    'Add note',
    async (body) => {
      await api('PATCH', `/api/incidents/${inc.id}`, { ...body, version: inc.version });
      close();
      refresh();
    },
  );
  close = openDialog(
    `Notes on ${inc.title}`,
    h(
      'div',
      {},
      earlier.length
        ? h(
            'ol',
            { class: 'notes', 'aria-label': 'Notes so far' },
            ...earlier.map((t) =>
              h('li', {}, h('span', { class: 'muted' }, `${when(t.at)} · ${t.actor}: `), t.note),
            ),
          )
        : h('p', { class: 'muted' }, 'No notes yet.'),
      write ? form : null,
    ),
    opener,
  );
}

export async function incidentsView({ refresh, can }: ViewContext): Promise<HTMLElement> {
  const [incidents, providers] = await Promise.all([
    list<Incident>('/api/incidents?limit=50'),
    list<{ id: string; name: string }>('/api/providers?limit=100'),
  ]);
  if (incidents.data.length === 0)
    return empty('No incidents recorded. Providers have had none, or none were opened.');
  const names = new Map(providers.data.map((p) => [p.id, p.name]));
  const status = h('p', { role: 'status', class: 'help' });
  const act = async (inc: Incident, next: 'acknowledged' | 'resolved') => {
    try {
      await api('PATCH', `/api/incidents/${inc.id}`, { status: next, version: inc.version });
      refresh();
    } catch (error) {
      status.textContent = `Could not update “${inc.title}”: ${error instanceof Error ? error.message : error}`;
    }
  };
  const write = can('write');
  const cells = (inc: Incident) => [
    h('span', { class: 'strong' }, inc.title),
    names.get(inc.provider_id) ?? inc.provider_id,
    pill(inc.severity),
    pill(inc.status),
    when(inc.opened_at),
    duration(inc.duration_seconds),
    h(
      'span',
      { class: 'actions' },
      action(`Notes (${(inc.timeline ?? []).filter((t) => t.note).length})`, `Notes on ${inc.title}`, (b) =>
        notes(inc, refresh, b, write),
      ),
      write &&
        inc.status === 'open' &&
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Acknowledge ${inc.title}`,
            onclick: () => act(inc, 'acknowledged'),
          },
          'Acknowledge',
        ),
      write &&
        inc.status !== 'resolved' &&
        h(
          'button',
          { type: 'button', 'aria-label': `Resolve ${inc.title}`, onclick: () => act(inc, 'resolved') },
          'Resolve',
        ),
    ),
  ];
  return h(
    'section',
    { 'aria-label': 'Incidents' },
    status,
    pagedTable({
      caption: (n, more) => `${n} incident(s), newest first${more ? ' (more to show)' : ''}`,
      head: ['Title', 'Provider', 'Severity', 'Status', 'Opened', 'Duration', 'Actions'],
      first: incidents,
      cells,
      path: (cursor) => `/api/incidents?limit=50&cursor=${encodeURIComponent(cursor)}`,
    }),
  );
}
