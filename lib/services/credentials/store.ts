/**
 * Reads and writes of credential items. Every change is a read followed by one conditional write on
 * the item's `version` (`Table.updateVersioned`), retried from a fresh read when another writer got
 * there first, so concurrent rotations, revokes, 401 reports and re-wraps serialise per credential
 * and none is lost. Retiring versions past their grace period are destroyed by whichever write or
 * resolution touches the credential next (the lazy sweep; reads only hide them).
 */

import { ConflictError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { type Actor, actorAttributes } from '../actor.js';
import { type CredentialRecord, fromItem, type StoredVersion } from './record.js';

/** Attempts of a read-modify-write before a persistent conflict is returned as a 409. */
const MAX_ATTEMPTS = 5;

/** The actor recorded on writes the gateway makes on its own (sweeps, 401 reports). */
export const SYSTEM_ACTOR: Actor = { keyId: 'system', requestId: '', sourceIp: '' };

/** What a mutation changes: any record fields (never `id`, `provider_id` or `version`). */
export type RecordChanges = Partial<Omit<CredentialRecord, 'id' | 'provider_id' | 'version'>>;

/** Reads one credential (strongly consistent), or `undefined`. */
export async function loadRecord(deps: Gateway, credentialId: string): Promise<CredentialRecord | undefined> {
  const item = await deps.table.get(keys.credential(credentialId));
  return item ? fromItem(item) : undefined;
}

/** Every credential of a provider (a small partition of gsi1; eventually consistent). */
export async function providerRecords(deps: Gateway, providerId: string): Promise<CredentialRecord[]> {
  const items = await deps.table.queryAll({
    index: 'gsi1',
    partition: keys.credentialsOfProvider(providerId),
  });
  return items.map(fromItem);
}

/** Splits off retiring versions whose `destroy_after` has passed (their ciphertext is dropped). */
export function sweepVersions(
  versions: StoredVersion[],
  nowMs: number,
): { kept: StoredVersion[]; destroyed: number } {
  const kept = versions.filter(
    (v) =>
      !(v.status === 'retiring' && v.destroy_after !== undefined && Date.parse(v.destroy_after) <= nowMs),
  );
  return { kept, destroyed: versions.length - kept.length };
}

/**
 * Applies `apply` to the current record and writes its changes conditionally on the version read.
 * `apply` receives the record with due versions already swept, how many were and the attempt's clock
 * reading (also used for `updated_at`); returning `null` with nothing to sweep writes nothing. On a
 * conflict the whole step (including `apply`, which may call KMS) runs again on a fresh read.
 *
 * @returns the record as written (or as read when nothing changed), or `undefined` if absent.
 * @throws ConflictError after {@link MAX_ATTEMPTS} conflicting attempts; `apply`'s errors as they are.
 */
export async function mutateRecord(
  deps: Gateway,
  credentialId: string,
  apply: (
    record: CredentialRecord,
    step: { destroyed: number; nowMs: number },
  ) => Promise<RecordChanges | null>,
  actor: Actor,
): Promise<CredentialRecord | undefined> {
  for (let attempt = 1; ; attempt++) {
    const current = await loadRecord(deps, credentialId);
    if (!current) return undefined;
    // One clock reading per attempt: the sweep, `apply` and `updated_at` agree on "now".
    const nowMs = deps.now();
    const swept = sweepVersions(current.versions, nowMs);
    const record = { ...current, versions: swept.kept };
    const changes = await apply(record, { destroyed: swept.destroyed, nowMs });
    if (changes === null && swept.destroyed === 0) return current;
    const all: RecordChanges = { versions: record.versions, ...changes };
    try {
      const item = await deps.table.updateVersioned({
        key: keys.credential(credentialId),
        expectedVersion: current.version,
        changes: { ...all, updated_at: new Date(nowMs).toISOString(), ...actorAttributes(actor) },
        what: 'Credential',
      });
      return fromItem(item);
    } catch (error) {
      const conflict = error instanceof ConflictError && error.code === 'version_conflict';
      if (!conflict || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * Sets `last_used_at` unless another writer set it within the last `minIntervalMs`: a conditional
 * update that does not bump the item's `version` (it is bookkeeping, not a configuration change, so
 * it never makes an administrator's write conflict). Losing the condition is success.
 */
export async function touchLastUsed(
  deps: Gateway,
  credentialId: string,
  minIntervalMs: number,
): Promise<void> {
  const nowMs = deps.now();
  await deps.table.update({
    key: keys.credential(credentialId),
    set: { last_used_at: new Date(nowMs).toISOString() },
    condition: 'attribute_exists(pk) AND (attribute_not_exists(last_used_at) OR last_used_at <= :cutoff)',
    values: { ':cutoff': new Date(nowMs - minIntervalMs).toISOString() },
  });
}

/** The items of one gsi2 page of every credential (for the re-wrap and sweep). */
export async function credentialPage(
  deps: Gateway,
  input: { cursor?: string | undefined; limit: number },
): Promise<{ items: Item[]; nextCursor: string | null }> {
  return deps.table.queryPage({
    index: 'gsi2',
    partition: keys.credentialsPartition(),
    limit: input.limit,
    cursor: input.cursor,
  });
}
