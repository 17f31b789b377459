/**
 * Incident items (`INCIDENT#<id> / INCIDENT`, listed by time on gsi1 and per provider on gsi2) and
 * their one mutation, {@link transitionIncident}: acknowledge, resolve, add a note, under the
 * item's optimistic `version`. Used alike by the PATCH endpoint and by automatic resolution.
 */
import { ConflictError, NotFoundError } from '../../errors.js';
import { type EventBus, publishQuietly } from '../../events/bus.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Incident, TimelineEntry } from '../../schemas/incidents.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { type Actor, actorAttributes } from '../actor.js';
import { appendTimeline, secondsBetween, toIncident } from './mapper.js';

/** The facts of a new incident (manual or automatic). */
export interface NewIncident {
  id: string;
  providerId: string;
  title: string;
  severity: Incident['severity'];
  description?: string | undefined;
  source: Incident['source'];
  openedAt: string;
  /** Note on the `opened` timeline entry. */
  note?: string | undefined;
  actor: Actor;
}

/** The stored form of a new incident (status `open`, version 1). */
export function newIncidentItem(input: NewIncident, nowIso: string): Item {
  return {
    ...keys.incident(input.id),
    ...keys.incidentIndex(input.openedAt, input.id),
    ...keys.incidentOfProviderIndex(input.providerId, input.openedAt, input.id),
    entity: 'incident',
    id: input.id,
    provider_id: input.providerId,
    title: input.title,
    severity: input.severity,
    description: input.description ?? null,
    status: 'open',
    source: input.source,
    opened_at: input.openedAt,
    acknowledged_at: null,
    resolved_at: null,
    timeline: [{ at: input.openedAt, type: 'opened', actor: input.actor.keyId, note: input.note ?? null }],
    timeline_dropped: 0,
    version: 1,
    created_at: nowIso,
    updated_at: nowIso,
    ...actorAttributes(input.actor),
  };
}

/** The incident event on the bus (best effort: the item is the record). */
export async function emitIncidentEvent(
  bus: EventBus,
  type: 'incident.opened' | 'incident.resolved',
  incident: Incident,
): Promise<void> {
  await publishQuietly(bus, {
    type,
    at: type === 'incident.opened' ? incident.opened_at : (incident.resolved_at ?? incident.updated_at),
    detail: {
      incident_id: incident.id,
      provider_id: incident.provider_id,
      title: incident.title,
      severity: incident.severity,
      source: incident.source,
      status: incident.status,
      opened_at: incident.opened_at,
      resolved_at: incident.resolved_at,
      duration_seconds: incident.resolved_at ? incident.duration_seconds : null,
    },
  });
}

/** A stored incident, or 404. */
export async function loadIncidentItem(deps: Gateway, id: string): Promise<Item> {
  const item = await deps.table.get(keys.incident(id));
  if (!item) throw new NotFoundError('Incident');
  return item;
}

/** What one transition does. */
export interface Transition {
  id: string;
  status?: 'acknowledged' | 'resolved' | undefined;
  note?: string | undefined;
  /** The version the caller read; absent: the version just read. */
  expectedVersion?: number | undefined;
  /** ISO instant it happened (the check's time for automatic resolution). */
  at: string;
  actor: Actor;
}

const ALLOWED: Record<string, readonly string[]> = {
  open: ['acknowledged', 'resolved'],
  acknowledged: ['resolved'],
  resolved: [],
};

function statusChanges(current: Item, to: 'acknowledged' | 'resolved', at: string): Record<string, unknown> {
  if (!ALLOWED[String(current.status)]?.includes(to)) {
    throw new ConflictError(`An incident that is ${String(current.status)} cannot become ${to}.`, {
      code: 'invalid_transition',
      details: { status: current.status },
    });
  }
  if (to === 'acknowledged') return { status: to, acknowledged_at: at };
  return { status: to, resolved_at: at, duration_seconds: secondsBetween(String(current.opened_at), at) };
}

/**
 * Applies a status change and/or a note, appending to the timeline, under optimistic concurrency.
 *
 * @throws NotFoundError; ConflictError `version_conflict` (stale version) or `invalid_transition`
 *   (e.g. acknowledging a resolved incident).
 */
export async function transitionIncident(
  deps: Gateway,
  input: Transition,
): Promise<{ before: Item; after: Item }> {
  const current = await loadIncidentItem(deps, input.id);
  const expectedVersion = input.expectedVersion ?? Number(current.version);
  if (expectedVersion !== Number(current.version)) {
    throw new ConflictError('The incident was changed by another request; read it again.', {
      code: 'version_conflict',
      details: { current_version: current.version },
    });
  }
  const changes: Record<string, unknown> = input.status ? statusChanges(current, input.status, input.at) : {};
  const entry: TimelineEntry = {
    at: input.at,
    type: input.status ?? 'note',
    actor: input.actor.keyId,
    note: input.note ?? null,
  };
  const timeline = appendTimeline(
    (current.timeline ?? []) as TimelineEntry[],
    Number(current.timeline_dropped ?? 0),
    entry,
  );
  const after = await deps.table.updateVersioned({
    key: keys.incident(input.id),
    expectedVersion,
    changes: {
      ...changes,
      ...timeline,
      updated_at: new Date(deps.now()).toISOString(),
      ...actorAttributes(input.actor),
    },
    what: 'Incident',
  });
  return { before: current, after };
}

/** The public view, with an open incident's duration running to the gateway's now. */
export function incidentView(deps: Gateway, item: Item): Incident {
  return toIncident(item, new Date(deps.now()).toISOString());
}
