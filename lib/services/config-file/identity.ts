/**
 * How objects without a name are matched: a quota by what it counts (scope, type, the objects it
 * names, its window's time zone: the fields a PATCH cannot change), a credential by where the file
 * says its value comes from.
 */

import { ConfigError } from '../../errors.js';
import { credentialValue } from '../../schemas/credentials.js';
import { quotaPatch } from '../../schemas/quotas.js';
import { ENV_SOURCE, SECRET_REF_SOURCE } from './current.js';
import { type FileProvider, fileQuota } from './schema.js';

const QUOTA_IDENTITY = Object.keys(fileQuota.shape)
  .filter((field) => !(field in quotaPatch.shape))
  .sort();

/** The identity of a quota, declared or stored (file form): equal for the same scope and window. */
export function quotaIdentity(quota: Record<string, unknown>): string {
  return JSON.stringify(QUOTA_IDENTITY.map((field) => quota[field] ?? null));
}

/** A quota in words: `quota team "platform" daily_cost`, `quota global monthly_tokens`. */
export function quotaLabel(quota: Record<string, unknown>): string {
  const target = ['team', 'api_key', 'provider']
    .filter((field) => quota[field])
    .map((field) => `${field.replace('_', ' ')} "${String(quota[field])}"`);
  const model = quota.model_id ? [`model "${String(quota.model_id)}"`] : [];
  const zone = quota.time_zone && quota.time_zone !== 'UTC' ? [`(${String(quota.time_zone)})`] : [];
  return [
    'quota',
    ...(target.length > 0 ? target : [String(quota.scope)]),
    ...model,
    String(quota.quota_type),
    ...zone,
  ].join(' ');
}

/** The credential a provider declares: what to store, from where; `missing` names an unset variable. */
export type DeclaredCredential =
  | { type: 'api_key' | 'secret_ref'; value: string; source: string; name: string }
  | { missing: string };

export function credentialChange(
  provider: FileProvider,
  env: Record<string, string | undefined>,
): DeclaredCredential | undefined {
  if (provider.secret_ref) {
    return { type: 'secret_ref', value: provider.secret_ref, source: SECRET_REF_SOURCE, name: 'secret_ref' };
  }
  const variable = provider.credential_from_env;
  if (!variable) return undefined;
  const value = env[variable]?.trim();
  if (!value) return { missing: variable };
  if (!credentialValue.safeParse(value).success) {
    throw new ConfigError(`${variable} is not a usable API key (too long or has control characters).`);
  }
  return { type: 'api_key', value, source: `${ENV_SOURCE}${variable}`, name: variable };
}
