/**
 * The incident endpoints: open one by hand, read, list with filters, acknowledge / resolve / note.
 * A key scoped to some providers sees only their incidents (404 for the others).
 */
import type { Principal } from '../../auth/roles.js';
import { newId } from '../../ids.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Incident, IncidentCreate, IncidentListQuery, IncidentPatch } from '../../schemas/incidents.js';
import { keys } from '../../store/keys.js';
import { type Actor, canSeeProvider, outOfScope } from '../actor.js';
import { queryRangePage } from '../health/range-page.js';
import { loadProviderItem } from '../providers/service.js';
import {
  emitIncidentEvent,
  incidentView,
  loadIncidentItem,
  newIncidentItem,
  transitionIncident,
} from './store.js';

/** Opens a manual incident on a provider the caller may see (404 otherwise). */
export async function createIncident(
  deps: Gateway,
  input: { providerId: string; body: IncidentCreate; principal: Principal; actor: Actor },
): Promise<Incident> {
  await loadProviderItem(deps, input.providerId, input.principal);
  const nowIso = new Date(deps.now()).toISOString();
  const item = newIncidentItem(
    {
      id: newId('inc', deps.now()),
      providerId: input.providerId,
      title: input.body.title,
      severity: input.body.severity,
      description: input.body.description,
      source: 'manual',
      openedAt: nowIso,
      actor: input.actor,
    },
    nowIso,
  );
  await deps.table.create(item, () => new Error('incident id collision'));
  const incident = incidentView(deps, item);
  await emitIncidentEvent(deps.events, 'incident.opened', incident);
  return incident;
}

/** One incident the caller may see. */
export async function getIncident(deps: Gateway, id: string, principal: Principal): Promise<Incident> {
  const item = await loadIncidentItem(deps, id);
  if (!canSeeProvider(principal, String(item.provider_id))) throw outOfScope('Incident', id);
  return incidentView(deps, item);
}

/**
 * A page of incidents, newest first by `opened_at`, filtered by provider (its own index), status,
 * severity and an opened-at range.
 */
export async function listIncidents(deps: Gateway, query: IncidentListQuery, principal: Principal) {
  if (query.provider_id && !canSeeProvider(principal, query.provider_id)) {
    return { data: [], next_cursor: null, has_more: false };
  }
  const range = keys.timeRange(query.start, query.end);
  const page = await queryRangePage(deps.table, {
    ...(query.provider_id
      ? { index: 'gsi2' as const, partition: keys.incidentsOfProvider(query.provider_id) }
      : { index: 'gsi1' as const, partition: keys.incidentsPartition() }),
    from: range.from,
    to: range.to,
    limit: query.limit,
    cursor: query.cursor,
    newestFirst: true,
    filter: (item) =>
      canSeeProvider(principal, String(item.provider_id)) &&
      (!query.status || item.status === query.status) &&
      (!query.severity || item.severity === query.severity),
  });
  return {
    data: page.items.map((item) => incidentView(deps, item)),
    next_cursor: page.nextCursor,
    has_more: page.nextCursor !== null,
  };
}

/**
 * Acknowledges, resolves and/or notes an incident (PATCH). Resolving an automatic incident by hand
 * ends the incident; the provider's open-incident lock stays until the checks see it recover, so
 * the same outage is not reported again.
 *
 * @throws NotFoundError; ConflictError `version_conflict` or `invalid_transition`.
 */
export async function updateIncident(
  deps: Gateway,
  input: { id: string; patch: IncidentPatch; principal: Principal; actor: Actor },
): Promise<Incident> {
  await getIncident(deps, input.id, input.principal);
  const { after } = await transitionIncident(deps, {
    id: input.id,
    status: input.patch.status,
    note: input.patch.note,
    expectedVersion: input.patch.version,
    at: new Date(deps.now()).toISOString(),
    actor: input.actor,
  });
  const incident = incidentView(deps, after);
  if (input.patch.status === 'resolved') await emitIncidentEvent(deps.events, 'incident.resolved', incident);
  return incident;
}
