import type { Principal } from '../auth/roles.js';
import { mayManage, readOwnerScope } from '../auth/scope.js';
import { ForbiddenError, NotFoundError } from '../errors.js';

/** Who made a change: written on every item so the audit trail can be built from the change stream. */
export interface Actor {
  keyId: string;
  requestId: string;
  sourceIp: string;
}

/** The actor attributes stored on a written item (never a secret). */
export function actorAttributes(actor: Actor): Record<string, string> {
  return { last_actor: actor.keyId, last_request_id: actor.requestId, last_source_ip: actor.sourceIp };
}

/** Whether a principal scoped to some providers may see this one (unscoped keys see all). */
export function canSeeProvider(principal: Principal | undefined, providerId: string): boolean {
  return !principal?.providerIds || principal.providerIds.includes(providerId);
}

/** Whether a principal scoped to some models may see this one (unscoped keys see all). */
export function canSeeModel(principal: Principal | undefined, modelId: string): boolean {
  return !principal?.modelIds || principal.modelIds.includes(modelId);
}

/**
 * The 404 of an object outside the caller's scope: it reads exactly like a missing object, and on a
 * route that changes something it is recorded as a security refusal (see `lib/audit/refusals.ts`).
 */
export function outOfScope(what: string, target: string): NotFoundError {
  return new NotFoundError(what, { refusal: { reason: 'out_of_scope', target } });
}

/** 403 `scoped_key`: a scoped key may see the object but not do this to it (recorded as a refusal). */
export function scopedKeyRefused(message: string, target?: string): ForbiddenError {
  return new ForbiddenError(message, {
    code: 'scoped_key',
    refusal: { reason: 'scoped_key', ...(target ? { target } : {}) },
  });
}

/**
 * Refuses a change by a scoped key to an object owned by a wider scope (or unowned): it would act
 * on requests of keys outside the caller's scope (see `lib/auth/scope.ts`).
 */
export function assertMayManage(principal: Principal, owner: unknown, what: string, target: string): void {
  if (mayManage(principal, readOwnerScope(owner))) return;
  throw scopedKeyRefused(
    `This ${what} acts on keys outside this key's scope; only a key whose scope covers them may change it.`,
    target,
  );
}
