/**
 * Re-binding a provider's credentials to a new destination, when an admin moves the provider (or
 * confirms a move made while it held none). Each live version is decrypted under its old context
 * and sealed again under the new destination: one conditional write per credential, retried on a
 * conflict like every credential change. Until this runs, a moved provider's credentials do not
 * decrypt for the new destination, so no request carries them there.
 */
import { decryptSecret, encryptSecret } from '../../crypto/envelope.js';
import { CredentialDecryptError } from '../../crypto/errors.js';
import { logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Actor } from '../actor.js';
import { forgetCredential } from './cache.js';
import { type CredentialRecord, contextOf, type StoredVersion } from './record.js';
import { mutateRecord, providerRecords } from './store.js';

/** Seals every version of `record` that holds a secret for `destination`. */
async function resealed(
  deps: Gateway,
  record: CredentialRecord,
  destination: string,
): Promise<StoredVersion[]> {
  const target = { ...record, destination };
  const versions: StoredVersion[] = [];
  for (const version of record.versions) {
    if (!version.secret) {
      versions.push(version);
      continue;
    }
    const keyProvider = await deps.keyProvider();
    try {
      const plaintext = await decryptSecret(
        version.secret,
        contextOf(record, version.key_version),
        keyProvider,
      );
      const secret = await encryptSecret(plaintext, contextOf(target, version.key_version), keyProvider);
      versions.push({ ...version, secret });
    } catch (error) {
      // A version that does not authenticate stays as it is: it could not be used before either.
      if (!(error instanceof CredentialDecryptError)) throw error;
      logger.warn('credential version not re-bound: it does not decrypt', {
        credential_id: record.id,
        version: version.key_version,
      });
      versions.push(version);
    }
  }
  return versions;
}

/**
 * Binds every live credential of a provider to `destination`.
 *
 * @returns how many credentials were re-bound.
 * @throws the key provider's `kms_*` errors and storage errors (credentials already re-bound stay so;
 *   running it again finishes the rest).
 */
export async function rebindCredentials(
  deps: Gateway,
  input: { providerId: string; destination: string; actor: Actor },
): Promise<number> {
  let rebound = 0;
  for (const listed of await providerRecords(deps, input.providerId)) {
    if (listed.revoked_at || listed.destination === input.destination) continue;
    const updated = await mutateRecord(
      deps,
      listed.id,
      async (record) => {
        if (record.revoked_at || record.destination === input.destination) return null;
        return { versions: await resealed(deps, record, input.destination), destination: input.destination };
      },
      input.actor,
    );
    if (updated?.destination === input.destination) rebound += 1;
    forgetCredential(deps, input.providerId, listed.id);
  }
  return rebound;
}

/** Whether a provider holds a credential that is not revoked (a move of it needs an admin). */
export async function holdsLiveCredential(deps: Gateway, providerId: string): Promise<boolean> {
  return (await providerRecords(deps, providerId)).some((record) => !record.revoked_at);
}
