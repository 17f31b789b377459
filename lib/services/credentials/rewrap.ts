/**
 * Master-key rotation: re-wraps the data key of every stored credential version under the current
 * master key (`KeyProvider.currentKeyId()`: `CREDENTIAL_KEY_ID` in AWS, the current key of
 * `master-keys.json` locally), and destroys retiring versions past their grace period on the way.
 *
 * Safe to stop at any point and to run again:
 * - per credential, all versions are re-wrapped in memory and written in one conditional write, so
 *   a killed run leaves each record entirely old-wrapped or entirely new-wrapped, never broken;
 * - a version already under the target is skipped without a KMS call (idempotent), so a second run
 *   re-wraps exactly what the first did not;
 * - pages are read in id order from gsi2 and `next_cursor` resumes after the last record finished.
 */
import type { Principal } from '../../auth/roles.js';
import { isScoped } from '../../auth/scope.js';
import { rewrapSecret } from '../../crypto/envelope.js';
import { CredentialDecryptError } from '../../crypto/errors.js';
import type { KeyProvider } from '../../crypto/key-provider.js';
import { GatewayError } from '../../errors.js';
import { describeError, logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { RewrapReport } from '../../schemas/credentials.js';
import { encodeCursor } from '../../store/cursor.js';
import type { Item } from '../../store/table.js';
import { type Actor, scopedKeyRefused } from '../actor.js';
import { forgetCredential } from './cache.js';
import { type CredentialRecord, contextOf, type StoredVersion } from './record.js';
import { credentialPage, mutateRecord, SYSTEM_ACTOR } from './store.js';

/** Credentials per page when the caller names no limit. */
export const DEFAULT_REWRAP_LIMIT = 25;

/** Options of {@link rewrapCredentials}. */
export interface RewrapOptions {
  /** Where a previous call stopped (`next_cursor`); absent: from the first credential. */
  cursor?: string | undefined;
  /** Credentials read in this call (one page), 1..100; default {@link DEFAULT_REWRAP_LIMIT}. */
  limit?: number | undefined;
  /** Checked before each credential: an aborted run returns what it finished, with a cursor. */
  signal?: AbortSignal;
  /** `sweep` only destroys due retiring versions and makes no key-provider call. */
  mode?: 'rewrap' | 'sweep';
  actor?: Actor;
  /** The caller, through the API: a scoped key cannot re-wrap (it spans every provider). */
  principal?: Principal;
}

interface Outcome {
  scanned: number;
  rewrapped: number;
  skipped: number;
  destroyed: number;
  failures: RewrapReport['failures'];
}

/** The cursor right after `item` in the gsi2 list (what `Table.queryPage` would have returned). */
function cursorAfter(item: Item): string {
  const { pk, sk, gsi2pk, gsi2sk } = item as Record<string, string>;
  return encodeCursor({ pk, sk, gsi2pk, gsi2sk });
}

/** Re-wraps the versions of one record in memory; a version that does not authenticate is kept. */
async function rewrapVersions(
  record: CredentialRecord,
  keyProvider: KeyProvider,
  outcome: Outcome,
): Promise<StoredVersion[] | null> {
  const target = keyProvider.currentKeyId();
  let changed = false;
  const versions: StoredVersion[] = [];
  for (const version of record.versions) {
    if (!version.secret) {
      versions.push(version);
      continue;
    }
    outcome.scanned += 1;
    if (version.secret.key_id === target) {
      outcome.skipped += 1;
      versions.push(version);
      continue;
    }
    try {
      const context = contextOf(record, version.key_version);
      versions.push({ ...version, secret: await rewrapSecret(version.secret, context, keyProvider, target) });
      outcome.rewrapped += 1;
      changed = true;
    } catch (error) {
      if (!(error instanceof CredentialDecryptError)) throw error;
      outcome.failures.push({ credential_id: record.id, version: version.key_version, code: error.code });
      versions.push(version);
    }
  }
  return changed ? versions : null;
}

/** One credential, as one conditional write; the counts are those of the attempt that was written. */
async function processOne(
  deps: Gateway,
  credentialId: string,
  options: { keyProvider: KeyProvider | undefined; actor: Actor },
): Promise<Outcome> {
  let outcome: Outcome = { scanned: 0, rewrapped: 0, skipped: 0, destroyed: 0, failures: [] };
  const written = await mutateRecord(
    deps,
    credentialId,
    async (record, swept) => {
      outcome = { scanned: 0, rewrapped: 0, skipped: 0, destroyed: swept.destroyed, failures: [] };
      if (!options.keyProvider) return null;
      const versions = await rewrapVersions(record, options.keyProvider, outcome);
      return versions ? { versions } : null;
    },
    options.actor,
  );
  if (written && outcome.destroyed > 0) forgetCredential(deps, written.provider_id, written.id);
  return outcome;
}

/** Adds one credential's outcome to the report. */
function add(report: RewrapReport, outcome: Outcome): void {
  report.credentials += 1;
  report.scanned += outcome.scanned;
  report.rewrapped += outcome.rewrapped;
  report.skipped += outcome.skipped;
  report.failed += outcome.failures.length;
  report.destroyed += outcome.destroyed;
  report.failures.push(...outcome.failures);
}

/**
 * Processes one page of credentials (see the module comment). Call again with `next_cursor` while
 * `has_more`. A record that does not authenticate is counted in `failed` and left as it is; a
 * malformed record is counted with version 0.
 *
 * @throws the key provider's `kms_*` errors and storage errors, which stop the run: everything
 * written before stays written, and a new run resumes from the start or any cursor returned earlier.
 */
export async function rewrapCredentials(deps: Gateway, options: RewrapOptions = {}): Promise<RewrapReport> {
  if (isScoped(options.principal)) {
    throw scopedKeyRefused('A scoped key cannot re-wrap credentials: the re-wrap spans every provider.');
  }
  const keyProvider = options.mode === 'sweep' ? undefined : await deps.keyProvider();
  const actor = options.actor ?? SYSTEM_ACTOR;
  const page = await credentialPage(deps, {
    cursor: options.cursor,
    limit: options.limit ?? DEFAULT_REWRAP_LIMIT,
  });
  const report: RewrapReport = {
    credentials: 0,
    scanned: 0,
    rewrapped: 0,
    skipped: 0,
    failed: 0,
    destroyed: 0,
    failures: [],
    next_cursor: page.nextCursor,
    has_more: page.nextCursor !== null,
  };
  let last: Item | undefined;
  for (const item of page.items) {
    if (options.signal?.aborted) {
      report.next_cursor = last ? cursorAfter(last) : (options.cursor ?? null);
      report.has_more = true;
      return report;
    }
    const id = String(item.id);
    try {
      add(report, await processOne(deps, id, { keyProvider, actor }));
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      logger.error('credential record could not be re-wrapped', {
        credential_id: id,
        error: describeError(error),
      });
      add(report, { scanned: 0, rewrapped: 0, skipped: 0, destroyed: 0, failures: [] });
      report.failed += 1;
      report.failures.push({ credential_id: id, version: 0, code: 'credential_malformed' });
    }
    last = item;
  }
  return report;
}
