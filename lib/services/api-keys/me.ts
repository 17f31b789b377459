import { BOOTSTRAP_KEY_ID } from '../../auth/bootstrap.js';
import { ACCESS, type Access, allows, type Principal } from '../../auth/roles.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { CallerIdentity } from '../../schemas/me.js';
import { keys } from '../../store/keys.js';
import { RECORD_ENTITY } from './repository.js';

/** Name shown for the bootstrap admin key, which has no record in the table. */
export const BOOTSTRAP_KEY_NAME = 'Bootstrap admin key';

/** The access classes `role` satisfies, in the order `ACCESS` lists them. */
export function permissionsOf(role: Principal['role']): Access[] {
  return (Object.keys(ACCESS) as Access[]).filter((access) => allows(access, role));
}

/**
 * Who the caller is, for `GET /api/me`: the principal the authorizer built (role, and scope lists
 * already narrowed by the key's team) plus the key's name from its record (one GetItem). A record
 * gone since authentication (a race with a delete) still answers, with the id as the name; the
 * bootstrap key, which has no record, is named {@link BOOTSTRAP_KEY_NAME}.
 */
export async function callerIdentityOf(deps: Gateway, principal: Principal): Promise<CallerIdentity> {
  let name = BOOTSTRAP_KEY_NAME;
  if (principal.keyId !== BOOTSTRAP_KEY_ID) {
    const record = await deps.table.get(keys.apiKeyRecord(principal.keyId));
    name =
      record?.entity === RECORD_ENTITY && typeof record.name === 'string' ? record.name : principal.keyId;
  }
  return {
    key_id: principal.keyId,
    name,
    role: principal.role,
    team_id: principal.teamId ?? null,
    provider_ids: principal.providerIds ? [...principal.providerIds] : null,
    model_ids: principal.modelIds ? [...principal.modelIds] : null,
    permissions: permissionsOf(principal.role),
  };
}
