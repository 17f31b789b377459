/**
 * The open-incident lock (`PROVIDER#<pid> / OPEN_INCIDENT`): at most one automatic incident per
 * provider at a time. It is created with `attribute_not_exists` before the incident, names the
 * incident's id, and is deleted only by whoever resolves that very incident (the delete is
 * conditional on the id), so two runs that both see an outage open one incident, and a late
 * resolver can never delete the lock of the next outage.
 */

import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';

/** The lock item's facts: which incident holds the provider, since when. */
export interface IncidentLock {
  provider_id: string;
  incident_id: string;
  opened_at: string;
}

/** The provider's lock, if an automatic incident is open. */
export async function readLock(deps: Gateway, providerId: string): Promise<IncidentLock | undefined> {
  const item = await deps.table.get(keys.openIncidentLock(providerId));
  if (!item) return undefined;
  return {
    provider_id: providerId,
    incident_id: String(item.incident_id),
    opened_at: String(item.opened_at),
  };
}

/** Takes the lock for `lock.incident_id`; false when another incident already holds it. */
export async function takeLock(deps: Gateway, lock: IncidentLock): Promise<boolean> {
  return deps.table.put(
    { ...keys.openIncidentLock(lock.provider_id), entity: 'incident_lock', ...lock },
    { condition: 'attribute_not_exists(pk)' },
  );
}

/** Releases the lock if it still names `incidentId`; false when it was already gone or replaced. */
export async function releaseLock(deps: Gateway, providerId: string, incidentId: string): Promise<boolean> {
  return deps.table.delete(keys.openIncidentLock(providerId), {
    condition: 'incident_id = :id',
    values: { ':id': incidentId },
  });
}
