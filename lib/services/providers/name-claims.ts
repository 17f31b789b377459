import { keys } from '../../store/keys.js';
import type { Table } from '../../store/table.js';
import { claimUniqueName, type NameClaimKind, releaseUniqueName, withRename } from '../name-claims.js';

/** Provider names: one claim item per lower-cased name (see {@link claimUniqueName}). */
const PROVIDER_NAMES: NameClaimKind = {
  what: 'provider',
  entity: 'provider_name',
  claimKey: keys.providerName,
  ownerKey: keys.provider,
  ownerAttribute: 'provider_id',
};

/** Claims a provider name (409 `name_taken` when another provider holds it, also under concurrency). */
export function claimName(table: Table, name: string, providerId: string): Promise<void> {
  return claimUniqueName(table, PROVIDER_NAMES, { name, id: providerId });
}

/** Releases a name if (and only if) this provider still holds it. */
export function releaseName(table: Table, name: string, providerId: string): Promise<void> {
  return releaseUniqueName(table, PROVIDER_NAMES, { name, id: providerId });
}

/** Runs a provider's update under a rename (see {@link withRename}). */
export function renameProvider<T>(
  table: Table,
  input: { id: string; from: string; to: string | undefined },
  write: () => Promise<T>,
): Promise<T> {
  return withRename(table, PROVIDER_NAMES, input, write);
}
