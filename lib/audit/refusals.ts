/**
 * Security refusals in the audit trail. A refused role, scope, credential move or key escalation is
 * written as one small item (`keys.accessDenial`), which the audit writer turns into an
 * `access.denied` event naming the actor, the route and the reason. At most one item per key,
 * minute, reason and route is written (a conditional create), so a caller hammering a refused route
 * costs one write a minute per route, and the chain grows by as little.
 */
import type { Refusal } from '../errors.js';
import { describeError, logger } from '../observability.js';
import type { Gateway } from '../runtime/gateway.js';
import { type Actor, actorAttributes } from '../services/actor.js';
import { keys } from '../store/keys.js';

/** The de-duplication item outlives its minute by this much, then expires (the event stays). */
const DENIAL_ITEM_TTL_SECONDS = 3_600;

/** What a refusal record says beside the actor. */
export interface RefusalRecord {
  actor: Actor;
  /** The caller's role. */
  role: string;
  /** `METHOD /path` of the route in the route table. */
  route: string;
  /** The error code the caller received. */
  code: string;
  refusal: Refusal;
}

class AlreadyRecorded extends Error {}

/**
 * Writes the refusal for the audit trail. Never throws: a refusal that cannot be recorded is
 * logged (without any key material) and the caller's answer is unaffected.
 */
export async function recordRefusal(deps: Gateway, record: RefusalRecord): Promise<void> {
  const nowMs = deps.now();
  const minute = new Date(nowMs).toISOString().slice(0, 16);
  const { refusal } = record;
  try {
    await deps.table.create(
      {
        ...keys.accessDenial(record.actor.keyId, minute, refusal.reason, record.route),
        entity: 'access_denial',
        route: record.route,
        reason: refusal.reason,
        code: record.code,
        role: record.role,
        ...(refusal.target ? { target: refusal.target } : {}),
        ...(refusal.fields?.length ? { fields: refusal.fields } : {}),
        ttl: Math.floor(nowMs / 1000) + DENIAL_ITEM_TTL_SECONDS,
        ...actorAttributes(record.actor),
      },
      () => new AlreadyRecorded(),
    );
  } catch (error) {
    if (error instanceof AlreadyRecorded) return;
    logger.warn('security refusal not recorded', { reason: refusal.reason, error: describeError(error) });
  }
}
