import type { AUDIT_TARGET_TYPES } from '../schemas/vocabulary.js';
import { keys } from '../store/keys.js';
import type { Plain } from '../streams/attribute-values.js';

/** One of {@link AUDIT_TARGET_TYPES}. */
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

type Image = { [key: string]: Plain };

/** How the fields of one entity are copied into an event: by name, optionally projected. */
interface EntityRule {
  type: AuditTargetType;
  /** The target id, from the item's keys and image. */
  id: (image: Image) => string;
  /** The provider the target belongs to (scoped readers see only their providers' events). */
  providerId: (image: Image) => string | null;
  /**
   * The allow-list: only these fields are ever copied into an event. Secrets (credential
   * envelopes, API-key hashes and hints), key attributes, actor bookkeeping and noise such as
   * `last_used_at` or `health_status` are absent by construction.
   */
  fields: readonly string[];
  /** Projections of fields whose stored value holds more than may be copied. */
  project?: Record<string, (value: Plain) => Plain>;
  /** Only inserts become events (records whose item exists only to be audited once). */
  insertsOnly?: boolean;
}

const str = (value: Plain | undefined): string | null => (typeof value === 'string' ? value : null);
const after = (value: Plain | undefined, sep: string): string =>
  String(value ?? '')
    .split(sep)
    .slice(1)
    .join(sep);

/** Credential versions without their envelopes or hints: number, status, dates and master key id. */
function credentialVersions(value: Plain): Plain {
  if (!Array.isArray(value)) return null;
  return value.map((v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    return {
      key_version: v.key_version ?? null,
      status: v.status ?? null,
      created_at: v.created_at ?? null,
      destroy_after: v.destroy_after ?? null,
      // The master key wrapping the version (a key id, not key material): a re-wrap shows here.
      master_key_id:
        v.secret !== null && typeof v.secret === 'object' && !Array.isArray(v.secret)
          ? (v.secret.key_id ?? null)
          : null,
    };
  });
}

/** An incident's timeline is long: the event keeps its size and its newest entry. */
function timelineSummary(value: Plain): Plain {
  if (!Array.isArray(value)) return null;
  return { entries: value.length, newest: value.at(-1) ?? null };
}

const RULES: Record<string, EntityRule> = {
  provider: {
    type: 'provider',
    id: (i) => String(i.id ?? after(i.pk, '#')),
    providerId: (i) => str(i.id),
    fields: [
      'name',
      'provider_type',
      'service_types',
      'base_url',
      'status',
      'priority',
      'timeout_seconds',
      'rate_limit_rpm',
      'rate_limit_tpm',
      'metadata',
    ],
  },
  model: {
    type: 'model',
    id: (i) => `${after(i.pk, '#')}:${after(i.sk, '#')}`,
    providerId: (i) => after(i.pk, '#'),
    fields: [
      'model_name',
      'model_type',
      'context_window',
      'max_output_tokens',
      'capabilities',
      'pricing_history',
      'deprecated_at',
      'is_active',
    ],
  },
  credential: {
    type: 'credential',
    id: (i) => String(i.id ?? after(i.pk, '#')),
    providerId: (i) => str(i.provider_id),
    fields: [
      'provider_id',
      'name',
      'credential_type',
      'active_version',
      'versions',
      'revoked_at',
      'expires_at',
      'source',
      'destination',
    ],
    project: { versions: credentialVersions },
  },
  routing_rule: {
    type: 'routing_rule',
    id: (i) => String(i.id ?? after(i.pk, '#')),
    providerId: () => null,
    fields: [
      'rule_name',
      'rule_type',
      'service_type',
      'model_pattern',
      'provider_ids',
      'targets',
      'fallback_enabled',
      'retry_policy',
      'priority',
      'is_active',
      'cache',
    ],
  },
  quota: {
    type: 'quota',
    id: (i) => String(i.id ?? after(i.pk, '#')),
    providerId: (i) => str(i.provider_id),
    fields: [
      'provider_id',
      'quota_type',
      'limit_value',
      'soft_limit_percent',
      'action_on_exceed',
      'scope',
      'model_id',
      'api_key_id',
      'enforcement',
      'is_active',
      'team_id',
      'time_zone',
      'thresholds_percent',
    ],
  },
  api_key: {
    type: 'api_key',
    id: (i) => String(i.id ?? after(i.pk, '#')),
    providerId: () => null,
    fields: [
      'name',
      'role',
      'provider_ids',
      'model_ids',
      'status',
      'expires_at',
      'rate_limit_rpm',
      'rate_limit_tpm',
      'team_id',
      'cache',
      'last_rotated_at',
      'revoked_at',
    ],
  },
  team: {
    type: 'team',
    id: (i) => String(i.id ?? after(i.pk, '#')),
    providerId: () => null,
    fields: ['name', 'provider_ids', 'model_ids', 'rate_limit_rpm', 'rate_limit_tpm', 'metadata'],
  },
  incident: {
    type: 'incident',
    id: (i) => String(i.id ?? after(i.pk, '#')),
    providerId: (i) => str(i.provider_id),
    fields: [
      'provider_id',
      'title',
      'severity',
      'description',
      'status',
      'source',
      'acknowledged_at',
      'resolved_at',
      'timeline',
    ],
    project: { timeline: timelineSummary },
  },
  access_denial: {
    type: 'access',
    // The refused target (an object id) when there is one, else the route.
    id: (i) => String(i.target ?? i.route ?? after(i.pk, '#')),
    providerId: (i) => str(i.provider_id),
    fields: ['route', 'reason', 'code', 'role', 'target', 'fields'],
    insertsOnly: true,
  },
  cache_purge: {
    type: 'cache',
    // The namespace dropped (or `*` for every namespace of a model), then the model if one was named.
    id: (i) => `${String(i.namespace ?? '*')}${i.model ? `:${String(i.model)}` : ''}`,
    providerId: () => null,
    fields: ['namespace', 'model', 'deleted', 'namespaces'],
    insertsOnly: true,
  },
};

/**
 * Sort keys of the items the audit trail watches (with `MODEL#` models): the stream consumer's
 * filter and {@link ruleOf} agree on them. Each is paired with the partition prefix it must have.
 */
export const AUDITED_SORT_KEYS: Readonly<Record<string, string>> = {
  PROVIDER: 'PROVIDER#',
  CREDENTIAL: 'CREDENTIAL#',
  RULE: 'RULE#',
  QUOTA: 'QUOTA#',
  RECORD: 'APIKEY_RECORD#',
  INCIDENT: 'INCIDENT#',
  TEAM: 'TEAM#',
  PURGE: 'CACHE_PURGE#',
};
/** Sort-key prefix of catalog models (under `PROVIDER#<id>`). */
export const AUDITED_MODEL_SK_PREFIX = 'MODEL#';

const RULE_BY_SK: Record<string, EntityRule | undefined> = {
  PROVIDER: RULES.provider,
  CREDENTIAL: RULES.credential,
  RULE: RULES.routing_rule,
  QUOTA: RULES.quota,
  RECORD: RULES.api_key,
  INCIDENT: RULES.incident,
  TEAM: RULES.team,
  PURGE: RULES.cache_purge,
};

/** Partition prefix of security refusals (one item per refusal, see `keys.accessDenial`). */
export const AUDITED_DENIAL_PK_PREFIX = keys.accessDenialPrefix();

/** The entity rule of an item key, or undefined when changes of that item are not audited. */
export function ruleOf(pk: string, sk: string): EntityRule | undefined {
  if (sk.startsWith(AUDITED_MODEL_SK_PREFIX) && pk.startsWith('PROVIDER#')) return RULES.model;
  if (pk.startsWith(AUDITED_DENIAL_PK_PREFIX)) return RULES.access_denial;
  const prefix = AUDITED_SORT_KEYS[sk];
  return prefix && pk.startsWith(prefix) ? RULE_BY_SK[sk] : undefined;
}

/** The allow-listed, projected fields of an image (absent fields stay absent). */
export function auditedFields(rule: EntityRule, image: Image | undefined): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  if (!image) return out;
  for (const name of rule.fields) {
    if (!(name in image)) continue;
    const value = image[name] as Plain;
    const project = rule.project?.[name];
    out[name] = project ? project(value) : value;
  }
  return out;
}

export type { EntityRule };
