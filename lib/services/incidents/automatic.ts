/**
 * Incidents the health checker opens and resolves. Both are level-triggered and idempotent: after
 * every counted check, a provider whose failure streak reached the threshold gets an incident if
 * none is open (the lock decides who creates it), and one whose success streak reached the
 * threshold has its open automatic incident resolved. Duplicate or overlapping runs, and crashes
 * between the steps, converge to one incident per outage.
 */
import { GatewayError } from '../../errors.js';
import { newId } from '../../ids.js';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Incident } from '../../schemas/incidents.js';
import { keys } from '../../store/keys.js';
import type { Actor } from '../actor.js';
import type { HealthState } from '../health/types.js';
import { readLock, releaseLock, takeLock } from './lock.js';
import { SYSTEM } from './mapper.js';
import { emitIncidentEvent, incidentView, newIncidentItem, transitionIncident } from './store.js';

const systemActor = (runId: string): Actor => ({ keyId: SYSTEM, requestId: runId, sourceIp: '' });

/**
 * Who an automatic incident's change is recorded as: the operator whose on-demand check caused it,
 * else the health checker itself (`system`, with the run id as request id).
 */
const actorOf = (input: { runId: string; actor?: Actor | undefined }): Actor =>
  input.actor ?? systemActor(input.runId);

/** What opens or resolves an automatic incident: the run, and the operator of an on-demand check. */
export interface IncidentTrigger {
  runId: string;
  /** The caller of `POST /api/providers/{id}/health-check`; absent for the schedule. */
  actor?: Actor | undefined;
}

async function createFor(
  deps: Gateway,
  input: { provider: { id: string; name: string }; state: HealthState } & IncidentTrigger,
  lock: { incident_id: string; opened_at: string },
): Promise<Incident | undefined> {
  const item = newIncidentItem(
    {
      id: lock.incident_id,
      providerId: input.provider.id,
      title: `${input.provider.name} is down`,
      severity: 'high',
      description: `Opened by the health checker after ${input.state.consecutive_failures} consecutive failed checks.`,
      source: 'automatic',
      openedAt: lock.opened_at,
      note: `last error: ${input.state.last_error_class ?? 'unknown'}`,
      actor: actorOf(input),
    },
    new Date(deps.now()).toISOString(),
  );
  const exists = new Error('incident exists');
  try {
    await deps.table.create(item, () => exists);
  } catch (error) {
    if (error === exists) return undefined;
    throw error;
  }
  const incident = incidentView(deps, item);
  await emitIncidentEvent(deps.events, 'incident.opened', incident);
  return incident;
}

/**
 * Makes sure a provider that is down has one open automatic incident. Returns the incident when
 * this call created it, undefined when one already existed (or another run created it).
 */
export async function ensureAutomaticIncident(
  deps: Gateway,
  input: { provider: { id: string; name: string }; state: HealthState } & IncidentTrigger,
): Promise<Incident | undefined> {
  const existing = await readLock(deps, input.provider.id);
  if (existing) {
    // Heal a crash between taking the lock and writing the incident.
    const present = await deps.table.get(keys.incident(existing.incident_id));
    return present ? undefined : createFor(deps, input, existing);
  }
  const lock = {
    provider_id: input.provider.id,
    incident_id: newId('inc', deps.now()),
    opened_at: input.state.last_checked_at,
  };
  if (!(await takeLock(deps, lock))) return undefined;
  return createFor(deps, input, lock);
}

async function resolveLocked(deps: Gateway, incidentId: string, at: string, trigger: IncidentTrigger) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await transitionIncident(deps, {
        id: incidentId,
        status: 'resolved',
        note: 'resolved by the health checker after consecutive good checks',
        at,
        actor: actorOf(trigger),
      });
    } catch (error) {
      const code = error instanceof GatewayError ? error.code : undefined;
      if (code === 'invalid_transition' || code === 'not_found') return undefined;
      if (code !== 'version_conflict') throw error;
    }
  }
  logger.warn('incident resolution contended; retried next check', { incident_id: incidentId });
  return 'retry' as const;
}

/**
 * Resolves the provider's open automatic incident (if any) at `at`, then releases its lock.
 * Returns the incident when this call resolved it; an incident someone already resolved by hand
 * only has its lock released.
 */
export async function resolveAutomaticIncident(
  deps: Gateway,
  input: { providerId: string; at: string } & IncidentTrigger,
): Promise<Incident | undefined> {
  const lock = await readLock(deps, input.providerId);
  if (!lock) return undefined;
  let outcome: Awaited<ReturnType<typeof resolveLocked>>;
  try {
    outcome = await resolveLocked(deps, lock.incident_id, input.at, input);
  } catch (error) {
    logger.warn('incident resolution failed', { incident_id: lock.incident_id, error: describeError(error) });
    return undefined;
  }
  if (outcome === 'retry') return undefined;
  await releaseLock(deps, input.providerId, lock.incident_id);
  if (!outcome) return undefined;
  const incident = incidentView(deps, outcome.after);
  await emitIncidentEvent(deps.events, 'incident.resolved', incident);
  return incident;
}
