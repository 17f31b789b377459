/**
 * What the credential service keeps in memory per gateway instance (a new instance, as in a test or
 * a local restart, starts cold). Two bounded caches make the steady state of
 * an AI request free of I/O:
 *
 * - `records`: a provider's credential records, for `ROUTING_CACHE_TTL` seconds (none when 0);
 * - `secrets`: decrypted values per (credential, key version), for `CREDENTIAL_CACHE_TTL_SECONDS`
 *   and at most `CREDENTIAL_CACHE_MAX_USES` requests (`SecretCache`: concurrent misses share one
 *   decrypt);
 * - `probeSecrets`: the same for health probes, kept long enough to serve several scheduled runs
 *   ({@link probeSecretMaxAgeSeconds}): a value is keyed by its version, so a rotation is a new key
 *   and the probes read the records fresh each run (they see a rotation at once).
 *
 * A write made in this container drops the entries it affects at once; other containers see it when
 * their `records` entry expires (the old key version stays decryptable far longer: the grace period).
 */
import { SecretCache } from '../../crypto/secret-cache.js';
import type { Gateway } from '../../runtime/gateway.js';
import { stateSlot } from '../../state-slots.js';
import type { CredentialRecord } from './record.js';

/** Most entries of each cache (least recently used evicted beyond). */
const MAX_ENTRIES = 1_000;

/** A container's credential caches. */
export interface CredentialState {
  /** Provider id → its credential records; `undefined` when `ROUTING_CACHE_TTL` is 0. */
  records: SecretCache<CredentialRecord[]> | undefined;
  /** Decrypted values: `credentialId` × key version. */
  secrets: SecretCache<string>;
  /** Decrypted values for health probes: `credentialId` × key version, kept across health runs. */
  probeSecrets: SecretCache<string>;
  /** Credential id → when this container last wrote its `last_used_at` (ms). */
  touched: Map<string, number>;
  /** `credentialId#keyVersion` already reported as rejected by this container. */
  reported: Set<string>;
}

/** Health runs one decrypted value serves at most (when they fit in an hour). */
const PROBE_RUNS_PER_DECRYPT = 4;
/** Seconds of slack past the last run an entry must serve (a run is late, or takes a while). */
const PROBE_SLACK_SECONDS = 60;

/**
 * Seconds a decrypted value serves health probes: enough for up to {@link PROBE_RUNS_PER_DECRYPT}
 * runs of `HEALTH_CHECK_INTERVAL` within an hour (at least one run, however long the interval),
 * never less than `CREDENTIAL_CACHE_TTL_SECONDS`. With the defaults (300 s) 1,260 s: one KMS
 * `Decrypt` per credential per four runs instead of one per run (the request-path TTL, 300 s,
 * lapsed just before each run).
 */
export function probeSecretMaxAgeSeconds(
  config: Pick<Gateway['config'], 'HEALTH_CHECK_INTERVAL' | 'CREDENTIAL_CACHE_TTL_SECONDS'>,
): number {
  const interval = config.HEALTH_CHECK_INTERVAL;
  const runs = Math.max(1, Math.min(PROBE_RUNS_PER_DECRYPT, Math.floor(3_600 / interval)));
  return Math.max(config.CREDENTIAL_CACHE_TTL_SECONDS, runs * interval + PROBE_SLACK_SECONDS);
}

const CREDENTIALS = stateSlot<Gateway, CredentialState>('credentials', create);

function create(deps: Gateway): CredentialState {
  const { ROUTING_CACHE_TTL, CREDENTIAL_CACHE_TTL_SECONDS, CREDENTIAL_CACHE_MAX_USES } = deps.config;
  return {
    records:
      ROUTING_CACHE_TTL > 0
        ? new SecretCache<CredentialRecord[]>({
            maxAgeMs: ROUTING_CACHE_TTL * 1000,
            maxUses: Number.MAX_SAFE_INTEGER,
            maxEntries: MAX_ENTRIES,
            now: deps.now,
          })
        : undefined,
    secrets: new SecretCache<string>({
      maxAgeMs: CREDENTIAL_CACHE_TTL_SECONDS * 1000,
      maxUses: CREDENTIAL_CACHE_MAX_USES,
      maxEntries: MAX_ENTRIES,
      now: deps.now,
    }),
    probeSecrets: new SecretCache<string>({
      maxAgeMs: probeSecretMaxAgeSeconds(deps.config) * 1000,
      maxUses: Number.MAX_SAFE_INTEGER,
      maxEntries: MAX_ENTRIES,
      now: deps.now,
    }),
    touched: new Map(),
    reported: new Set(),
  };
}

/** The credential caches of the gateway instance `deps` (created on first use). */
export function stateOf(deps: Gateway): CredentialState {
  return deps.state(CREDENTIALS);
}

/** The records of a provider, from the cache or `load` (one load shared by concurrent callers). */
export function cachedRecords(
  deps: Gateway,
  providerId: string,
  load: () => Promise<CredentialRecord[]>,
): Promise<CredentialRecord[]> {
  const cache = stateOf(deps).records;
  return cache ? cache.getOrLoad({ credentialId: providerId, version: 'records' }, load) : load();
}

/**
 * Drops what this container holds about a provider's credentials after a write: the provider's
 * records and, for `credentialId`, its decrypted values and bookkeeping. Loads in flight are
 * detached, so a read that started before the write cannot put the old state back.
 */
export function forgetCredential(deps: Gateway, providerId: string, credentialId?: string): void {
  const state = stateOf(deps);
  state.records?.invalidate(providerId);
  if (credentialId === undefined) return;
  state.secrets.invalidate(credentialId);
  state.probeSecrets.invalidate(credentialId);
  state.touched.delete(credentialId);
  for (const entry of state.reported) if (entry.startsWith(`${credentialId}#`)) state.reported.delete(entry);
}
