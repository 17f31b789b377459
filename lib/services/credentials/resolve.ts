/**
 * The AI-request side of credentials: which secret to send upstream for a provider, and what to do
 * when the upstream refuses it. Built for the hot path: in steady state {@link resolveProviderSecret}
 * makes no KMS, Secrets Manager or DynamoDB call (see `cache.ts`), and at most one small write a
 * minute per credential (`last_used_at`).
 */
import { decryptSecret } from '../../crypto/envelope.js';
import { CredentialDecryptError } from '../../crypto/errors.js';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import { type DestinationFields, destinationOf } from '../providers/destination.js';
import { cachedRecords, stateOf } from './cache.js';
import {
  activeVersionOf,
  type CredentialRecord,
  type CredentialType,
  contextOf,
  isExpired,
  type StoredVersion,
} from './record.js';
import { readSecretRef } from './secret-ref.js';
import { mutateRecord, providerRecords, SYSTEM_ACTOR, sweepVersions, touchLastUsed } from './store.js';

/** `last_used_at` is written at most this often per credential (ms). */
export const LAST_USED_INTERVAL_MS = 60_000;
/** Bound of the per-container bookkeeping maps (cleared wholesale beyond; they are only hints). */
const MAX_TRACKED = 1_000;

/** The secret to send for a provider, and what to report back if the upstream refuses it. */
export interface ResolvedSecret {
  credentialId: string;
  /** The key version used: pass it back to {@link reportCredentialRejected}. */
  keyVersion: number;
  type: CredentialType;
  /** The API key (api_key, or the value of the referenced secret); absent for aws_iam. */
  value?: string;
}

interface Candidate {
  record: CredentialRecord;
  version: StoredVersion;
}

/**
 * The credential a provider's requests use: not revoked, not expired, bound to where the provider
 * now sends it (or stored before destinations were bound), with a usable active version; `active`
 * before `invalid` (an `invalid` one is still tried rather than failing the provider on one possibly
 * spurious 401); then the newest.
 */
function pickCredential(
  records: CredentialRecord[],
  nowMs: number,
  destination: string,
): Candidate | undefined {
  const candidates: Candidate[] = [];
  for (const record of records) {
    const version = activeVersionOf(record);
    if (record.revoked_at || isExpired(record, nowMs) || !version) continue;
    if (!version.secret && record.credential_type !== 'aws_iam') continue;
    if (record.destination !== undefined && record.destination !== destination) {
      logger.warn('credential not used: it is bound to another destination; an admin must confirm the move', {
        credential_id: record.id,
        provider_id: record.provider_id,
      });
      continue;
    }
    candidates.push({ record, version });
  }
  const rank = (c: Candidate) => (c.version.status === 'active' ? 0 : 1);
  candidates.sort((a, b) => rank(a) - rank(b) || b.record.id.localeCompare(a.record.id));
  return candidates[0];
}

/** Loads a provider's records, destroying due retiring versions on the way (the lazy sweep). */
async function loadRecords(deps: Gateway, providerId: string): Promise<CredentialRecord[]> {
  const records = await providerRecords(deps, providerId);
  const nowMs = deps.now();
  for (const record of records) {
    if (sweepVersions(record.versions, nowMs).destroyed === 0) continue;
    // Resolution never uses a retiring version, so a failed sweep must not fail the request.
    await mutateRecord(deps, record.id, async () => null, SYSTEM_ACTOR).catch((error: unknown) =>
      logger.warn('credential sweep failed', { credential_id: record.id, error: describeError(error) }),
    );
  }
  return records;
}

/** Decrypts a version (one KMS `Decrypt`) and, for secret_ref, reads the referenced secret. */
async function loadValue(deps: Gateway, record: CredentialRecord, version: StoredVersion): Promise<string> {
  if (!version.secret) throw new CredentialDecryptError();
  const context = contextOf(record, version.key_version);
  const plaintext = await decryptSecret(version.secret, context, await deps.keyProvider());
  return record.credential_type === 'secret_ref' ? readSecretRef(deps, plaintext) : plaintext;
}

/** Records a use at most once a minute per credential; a failure is logged, never thrown. */
async function noteUse(deps: Gateway, record: CredentialRecord): Promise<void> {
  const touched = stateOf(deps).touched;
  const nowMs = deps.now();
  const stored = record.last_used_at ? Date.parse(record.last_used_at) : 0;
  if (nowMs - Math.max(touched.get(record.id) ?? 0, stored) < LAST_USED_INTERVAL_MS) return;
  if (touched.size >= MAX_TRACKED) touched.clear();
  touched.set(record.id, nowMs);
  try {
    await touchLastUsed(deps, record.id, LAST_USED_INTERVAL_MS);
  } catch (error) {
    logger.warn('could not record credential use', { credential_id: record.id, error: describeError(error) });
  }
}

/**
 * The secret for an AI request to `provider`, or `null` when the provider has no usable credential
 * (none, all revoked or expired, or bound to another destination than the provider's). Concurrent callers share one load and one decrypt.
 *
 * Cost: steady state 0 KMS / Secrets Manager / DynamoDB calls; a cold or expired entry costs one
 * gsi1 query (records, `ROUTING_CACHE_TTL`) and one KMS `Decrypt` (+ one `GetSecretValue` for
 * secret_ref) per `CREDENTIAL_CACHE_TTL_SECONDS` or `CREDENTIAL_CACHE_MAX_USES` requests.
 *
 * `options.recordUse: false` (health probes, tools) leaves `last_used_at` alone. `options.probe`
 * (health probes): the records are read fresh (a rotation made anywhere is seen by the next run)
 * and the decrypted value comes from the probes' cache, which outlives a health interval.
 *
 * @throws CredentialDecryptError (`credential_decrypt_failed`) when the stored record does not
 * authenticate (tampered, or moved from another credential or provider); `kms_*` errors and
 * `secret_*` errors when KMS or Secrets Manager fail. All fail closed and none carries the secret.
 */
export async function resolveProviderSecret(
  deps: Gateway,
  provider: DestinationFields & { id: string },
  options: { recordUse?: boolean; probe?: boolean } = {},
): Promise<ResolvedSecret | null> {
  const providerId = provider.id;
  const records = options.probe
    ? await loadRecords(deps, providerId)
    : await cachedRecords(deps, providerId, () => loadRecords(deps, providerId));
  const chosen = pickCredential(records, deps.now(), destinationOf(provider));
  if (!chosen) return null;
  const { record, version } = chosen;
  // The `last_used_at` write (never throws) runs beside the decrypt; both finish before we answer.
  const used = options.recordUse !== false ? noteUse(deps, record) : undefined;
  const resolved: ResolvedSecret = {
    credentialId: record.id,
    keyVersion: version.key_version,
    type: record.credential_type,
  };
  if (record.credential_type === 'aws_iam') {
    await used;
    return resolved;
  }
  const key = { credentialId: record.id, version: String(version.key_version) };
  const state = stateOf(deps);
  const cache = options.probe ? state.probeSecrets : state.secrets;
  const value = cache.getOrLoad(key, () => loadValue(deps, record, version));
  await Promise.allSettled([value, used]);
  resolved.value = await value;
  return resolved;
}

/**
 * Tells the gateway that an upstream answered 401 to `keyVersion` of a credential: that version is
 * marked `invalid` (visible in the API) if it is still the active one and still `active`; a report
 * about a rotated-out version changes nothing. Reported once per container per version.
 *
 * @returns whether this call marked the version invalid.
 * @throws storage errors (`storage_throttled`); never a secret.
 */
export async function reportCredentialRejected(
  deps: Gateway,
  credentialId: string,
  keyVersion: number,
): Promise<boolean> {
  const state = stateOf(deps);
  const marker = `${credentialId}#${keyVersion}`;
  if (state.reported.has(marker)) return false;
  if (state.reported.size >= MAX_TRACKED) state.reported.clear();
  state.reported.add(marker);
  let marked = false;
  const apply = async (record: CredentialRecord) => {
    marked = false;
    const active = activeVersionOf(record);
    if (record.revoked_at || record.active_version !== keyVersion || active?.status !== 'active') return null;
    marked = true;
    return {
      versions: record.versions.map(
        (v): StoredVersion => (v.key_version === keyVersion ? { ...v, status: 'invalid' } : v),
      ),
    };
  };
  try {
    const updated = await mutateRecord(deps, credentialId, apply, SYSTEM_ACTOR);
    if (updated) state.records?.invalidate(updated.provider_id);
  } catch (error) {
    state.reported.delete(marker);
    throw error;
  }
  if (marked)
    logger.warn('credential marked invalid after an upstream 401', {
      credential_id: credentialId,
      version: keyVersion,
    });
  return marked;
}
