/**
 * Provider keys given in the environment (the brief's `OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, and
 * likewise `COHERE_API_KEY`, `HF_TOKEN`) become `api_key` credentials of the default providers when
 * `npm run init` runs. Each imported credential is tagged `source: environment:<VARIABLE>`, which is
 * how a later run finds it again.
 */
import { sameKey } from '../../auth/api-key.js';
import { decryptSecret } from '../../crypto/envelope.js';
import { ValidationError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { credentialValue } from '../../schemas/credentials.js';
import type { Actor } from '../actor.js';
import { activeVersionOf, type CredentialRecord, contextOf } from './record.js';
import { insertCredential, rotateCredential } from './service.js';
import { loadRecord, providerRecords } from './store.js';

/** Environment variable → provider type whose default provider receives it. */
export const ENVIRONMENT_CREDENTIALS = {
  OPENAI_API_KEY: 'openai',
  ANTHROPIC_API_KEY: 'anthropic',
  COHERE_API_KEY: 'cohere',
  HF_TOKEN: 'huggingface',
} as const;

export type EnvironmentProviderType = (typeof ENVIRONMENT_CREDENTIALS)[keyof typeof ENVIRONMENT_CREDENTIALS];

/** What happened to one variable. */
export interface EnvironmentImport {
  variable: keyof typeof ENVIRONMENT_CREDENTIALS;
  outcome: 'created' | 'rotated' | 'unchanged' | 'skipped';
  provider_id?: string;
  credential_id?: string;
  /** Why a variable was skipped: `not_set` or `no_provider`. */
  reason?: 'not_set' | 'no_provider';
}

const IMPORT_ACTOR: Actor = { keyId: 'environment-import', requestId: '', sourceIp: '' };

/** The newest live credential imported from `source` for a provider, read strongly consistent. */
async function importedCredential(
  deps: Gateway,
  providerId: string,
  source: string,
): Promise<CredentialRecord | undefined> {
  const found = (await providerRecords(deps, providerId))
    .filter((r) => r.source === source && !r.revoked_at)
    .sort((a, b) => b.id.localeCompare(a.id))[0];
  return found ? loadRecord(deps, found.id) : undefined;
}

/** Whether the active version of `record` holds `value` (one decrypt; compared in constant time). */
async function holds(deps: Gateway, record: CredentialRecord, value: string): Promise<boolean> {
  const active = activeVersionOf(record);
  if (!active?.secret) return false;
  const context = contextOf(record, active.key_version);
  return sameKey(await decryptSecret(active.secret, context, await deps.keyProvider()), value);
}

/** What {@link ensureCredential} does (or, with `dryRun`, would do). */
export type CredentialOutcome = 'created' | 'rotated' | 'unchanged';

/**
 * Makes the provider's credential tagged `source` hold `value`: creates it, rotates it when the value
 * changed (the old value keeps working for the grace period), or leaves it. With `dryRun` only says
 * which (one decrypt to compare). Used by `npm run init` and `npm run config:apply`.
 */
export async function ensureCredential(
  deps: Gateway,
  input: {
    providerId: string;
    type: 'api_key' | 'secret_ref';
    value: string;
    source: string;
    name: string;
    actor: Actor;
    dryRun?: boolean;
  },
): Promise<{ outcome: CredentialOutcome; credentialId?: string }> {
  const existing = await importedCredential(deps, input.providerId, input.source);
  if (existing && (await holds(deps, existing, input.value))) {
    return { outcome: 'unchanged', credentialId: existing.id };
  }
  if (input.dryRun)
    return { outcome: existing ? 'rotated' : 'created', ...(existing ? { credentialId: existing.id } : {}) };
  if (!existing) {
    const created = await insertCredential(deps, {
      providerId: input.providerId,
      type: input.type,
      value: input.value,
      name: input.name,
      source: input.source,
      actor: input.actor,
    });
    return { outcome: 'created', credentialId: created.id };
  }
  const body = { credential_value: input.value };
  await rotateCredential(deps, { credentialId: existing.id, body, actor: input.actor });
  return { outcome: 'rotated', credentialId: existing.id };
}

/**
 * The value a live credential tagged `source` holds now (one decrypt), or `undefined`: how
 * `config:export` reads back a `secret_ref` ARN. Never call it for an `api_key` to print it.
 */
export async function currentCredentialValue(
  deps: Gateway,
  providerId: string,
  source: string,
): Promise<string | undefined> {
  const record = await importedCredential(deps, providerId, source);
  const active = record && activeVersionOf(record);
  if (!record || !active?.secret) return undefined;
  return decryptSecret(active.secret, contextOf(record, active.key_version), await deps.keyProvider());
}

async function importOne(
  deps: Gateway,
  input: { variable: EnvironmentImport['variable']; value: string; providerId: string; actor: Actor },
): Promise<EnvironmentImport> {
  const { variable, value, providerId } = input;
  if (!credentialValue.safeParse(value).success) {
    throw new ValidationError(
      `${variable} is not a usable API key (empty, too long or has control characters).`,
    );
  }
  const { outcome, credentialId } = await ensureCredential(deps, {
    providerId,
    type: 'api_key',
    value,
    source: `environment:${variable}`,
    name: variable,
    actor: input.actor,
  });
  return {
    variable,
    provider_id: providerId,
    outcome,
    ...(credentialId ? { credential_id: credentialId } : {}),
  };
}

/**
 * Imports the provider keys found in `env` as `api_key` credentials of the providers named in
 * `providersByType` (provider type → provider id; `init` passes the default providers).
 * Idempotent: a second run with the same values changes nothing; a changed value rotates the
 * imported credential (the old value keeps working for the grace period). Values are trimmed.
 *
 * @throws ValidationError naming the variable (never its value) for an unusable value; NotFoundError
 * for a provider id that does not exist; `kms_*` errors.
 */
export async function importEnvironmentCredentials(
  deps: Gateway,
  env: Record<string, string | undefined>,
  providersByType: Partial<Record<EnvironmentProviderType, string>>,
  actor: Actor = IMPORT_ACTOR,
): Promise<EnvironmentImport[]> {
  const results: EnvironmentImport[] = [];
  for (const [variable, type] of Object.entries(ENVIRONMENT_CREDENTIALS) as Array<
    [EnvironmentImport['variable'], EnvironmentProviderType]
  >) {
    const value = env[variable]?.trim();
    const providerId = providersByType[type];
    if (!value) results.push({ variable, outcome: 'skipped', reason: 'not_set' });
    else if (!providerId) results.push({ variable, outcome: 'skipped', reason: 'no_provider' });
    else results.push(await importOne(deps, { variable, value, providerId, actor }));
  }
  return results;
}
