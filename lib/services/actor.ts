import type { Principal } from '../auth/roles.js';

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
