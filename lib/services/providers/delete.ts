import { stampForDelete } from '../../audit/stamp.js';
import { allows, type Principal } from '../../auth/roles.js';
import { isScoped } from '../../auth/scope.js';
import { ConflictError, ForbiddenError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import { type Actor, scopedKeyRefused } from '../actor.js';
import { holdsLiveCredential } from '../credentials/rebind.js';
import { revokeCredential } from '../credentials/service.js';
import { invalidateRoutingSnapshot } from '../routing/snapshot.js';
import { releaseName } from './name-claims.js';
import { loadProviderItem } from './service.js';

/**
 * Deletes a provider and everything stored under it (models, circuit state), and revokes its
 * credentials. A provider that a routing rule names is kept (409 `provider_in_use`) unless `force` is
 * set. Scoped keys cannot delete providers (others use them); destroying live credentials is a
 * `secrets` action, so a provider holding one can only be deleted by an admin.
 */
export async function deleteProvider(
  deps: Gateway,
  input: { id: string; force: boolean; principal: Principal; actor: Actor },
): Promise<void> {
  const current = await loadProviderItem(deps, input.id, input.principal);
  if (isScoped(input.principal)) {
    throw scopedKeyRefused('A scoped key cannot delete a provider: other keys use it too.', input.id);
  }
  if (!allows('secrets', input.principal.role) && (await holdsLiveCredential(deps, input.id))) {
    throw new ForbiddenError(
      'This provider holds a credential: deleting it destroys the credential, which needs an admin key.',
      { refusal: { reason: 'credential_delete', target: input.id } },
    );
  }
  const refs = await deps.table.queryAll({
    partition: keys.provider(input.id).pk,
    skPrefix: keys.providerRuleRefPrefix(),
  });
  if (refs.length > 0 && !input.force) {
    throw new ConflictError(
      'Routing rules use this provider; remove it from them or delete with force=true.',
      {
        code: 'provider_in_use',
        details: { routing_rule_ids: refs.map((r) => r.rule_id) },
      },
    );
  }
  await stampForDelete(deps.table, keys.provider(input.id), input.actor);
  await deps.table.delete(keys.provider(input.id), { expectedVersion: Number(current.version) });
  // Credentials live in their own partitions: revoke them, so no ciphertext outlives its provider.
  const credentials = await deps.table.queryAll({
    index: 'gsi1',
    partition: keys.credentialsOfProvider(input.id),
  });
  for (const credential of credentials) {
    await revokeCredential(deps, { credentialId: String(credential.id), actor: input.actor });
  }
  const children = await deps.table.queryAll({ partition: keys.provider(input.id).pk });
  for (const child of children) {
    const key = { pk: child.pk, sk: child.sk };
    // Models are audited: their REMOVE records name the request that deleted their provider.
    if (child.sk.startsWith(keys.modelsOfProviderPrefix()))
      await stampForDelete(deps.table, key, input.actor);
    await deps.table.delete(key);
  }
  await releaseName(deps.table, String(current.name), input.id);
  invalidateRoutingSnapshot(deps);
}
