import { ConflictError } from '../../errors.js';
import { keys } from '../../store/keys.js';
import type { Table } from '../../store/table.js';

/**
 * Provider names are unique (case-insensitive). DynamoDB has no unique index and the embedded one
 * has no transactions, so each name is claimed by its own item, written conditionally before the
 * provider. A claim left behind by a crash (its provider missing or renamed) is taken over with a
 * second conditional write, so a name can never be lost to an orphan.
 */
export async function claimName(table: Table, name: string, providerId: string): Promise<void> {
  const key = keys.providerName(name);
  const taken = () => new ConflictError(`A provider named "${name}" already exists.`, { code: 'name_taken' });
  try {
    await table.create({ ...key, entity: 'provider_name', provider_id: providerId, name, version: 1 }, taken);
    return;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  const claim = await table.get(key);
  if (!claim) return claimName(table, name, providerId);
  const owner =
    typeof claim.provider_id === 'string' ? await table.get(keys.provider(claim.provider_id)) : undefined;
  const ownerHoldsName = owner && String(owner.name).toLowerCase() === name.toLowerCase();
  if (ownerHoldsName || claim.provider_id === providerId) {
    if (claim.provider_id === providerId) return;
    throw taken();
  }
  await table
    .updateVersioned({
      key,
      expectedVersion: Number(claim.version),
      changes: { provider_id: providerId, name },
      what: 'Provider name',
    })
    .catch((error: unknown) => {
      throw error instanceof ConflictError ? taken() : error;
    });
}

/** Releases a name if (and only if) this provider still holds it. */
export async function releaseName(table: Table, name: string, providerId: string): Promise<void> {
  const key = keys.providerName(name);
  const claim = await table.get(key);
  if (claim?.provider_id === providerId) await table.delete(key);
}
