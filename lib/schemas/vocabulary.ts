/**
 * The gateway's enumerations (provider types, statuses, quota kinds, ...), apart from the zod schemas
 * built on them: code that needs a list of values imports it from here without loading any schema.
 */

export const CREDENTIAL_TYPES = ['api_key', 'secret_ref', 'aws_iam'] as const;

/**
 * Statuses of a credential and of each of its key versions. A credential is `active`, `invalid`
 * (an upstream answered 401 on its active version), `revoked` or `expired` (`expires_at` passed); a
 * version is `active`, `retiring` (rotated out, decryptable until `destroy_after`), `invalid` or
 * `revoked`.
 */
export const CREDENTIAL_STATUSES = ['active', 'retiring', 'invalid', 'revoked', 'expired'] as const;

export const MODEL_TYPES = [
  'llm',
  'embedding',
  'rerank',
  'tts',
  'stt',
  'vision',
  'image',
  'moderation',
] as const;

export const CAPABILITIES = ['streaming', 'tools', 'vision', 'json_mode'] as const;

/** Why a health probe failed, coarse enough to act on. */
export const ERROR_CLASSES = [
  'timeout',
  'connect',
  'auth',
  'rate_limited',
  'server',
  'bad_response',
] as const;

/** `<window>_<metric>`: windows hourly, daily, weekly (ISO, Monday), monthly, yearly; cost, tokens or requests. */
export const QUOTA_TYPES = [
  'monthly_cost',
  'daily_cost',
  'monthly_tokens',
  'daily_tokens',
  'daily_requests',
  'monthly_requests',
  'hourly_cost',
  'hourly_tokens',
  'hourly_requests',
  'weekly_cost',
  'weekly_tokens',
  'weekly_requests',
  'yearly_cost',
  'yearly_tokens',
  'yearly_requests',
] as const;

export const QUOTA_ACTIONS = ['throttle', 'block', 'fallback', 'notify'] as const;

export const QUOTA_SCOPES = ['provider', 'model', 'api_key', 'global', 'team'] as const;

export const QUOTA_ENFORCEMENTS = ['async', 'strict'] as const;

export const QUOTA_STATES = ['ok', 'soft_exceeded', 'exceeded'] as const;

/** Stored status; `expired` is derived from `expires_at` when read. */
export const API_KEY_STATUSES = ['active', 'revoked', 'expired'] as const;

export const PROVIDER_TYPES = [
  'openai',
  'anthropic',
  'cohere',
  'huggingface',
  'bedrock',
  'custom',
  'mock',
] as const;

export const SERVICE_TYPES = [
  'llm',
  'embedding',
  'rerank',
  'speech',
  'vision',
  'image',
  'moderation',
] as const;

/** Lifecycle status set by operators. Health is separate (`health_status`), set by checks. */
export const PROVIDER_STATUSES = ['active', 'inactive', 'maintenance'] as const;

export const HEALTH_STATUSES = ['unknown', 'healthy', 'degraded', 'down'] as const;

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;

export const INCIDENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** What happened to an incident, in order; the list is bounded (the first and latest entries stay). */
export const TIMELINE_TYPES = ['opened', 'acknowledged', 'note', 'resolved'] as const;

export const RULE_TYPES = [
  'primary_fallback',
  'round_robin',
  'weighted',
  'least_latency',
  'cost_optimized',
] as const;

/**
 * Failure classes a retry policy may name: `connect_error` (no connection), `timeout` (no answer in
 * time, or 408), `rate_limited` (429 other than a spend limit), `server_error` (5xx but 529),
 * `overloaded` (529). Nothing else is ever retried.
 */
export const RETRY_CLASSES = [
  'connect_error',
  'timeout',
  'rate_limited',
  'server_error',
  'overloaded',
] as const;

/** The kinds of object the audit trail records changes of. */
export const AUDIT_TARGET_TYPES = [
  'provider',
  'model',
  'credential',
  'routing_rule',
  'quota',
  'api_key',
  'incident',
  'access',
  'team',
  'cache',
] as const;

/** The roles an API key can hold. Admin can do everything; the others are narrower, not nested. */
export const ROLES = ['admin', 'operator', 'viewer', 'invoke'] as const;

/** How the response cache is used: not at all, read and filled, or read only (`docs/cache.md`). */
export const CACHE_MODES = ['off', 'read_write', 'read_only'] as const;

/**
 * Whose cached answers a caller shares: `default` its team's (or its key's, without a team), `key`
 * its key's alone, `global` every caller's that also chose `global` (unscoped keys only).
 */
export const CACHE_NAMESPACES = ['default', 'key', 'global'] as const;

/** A request's cache directive (`x-gateway-cache`): narrows what its key's setting allows. */
export const CACHE_DIRECTIVES = ['no-store', 'no-cache', 'refresh'] as const;

/** What the cache did for an answer (`x-gateway-cache`). */
export const CACHE_STATUSES = ['hit', 'miss', 'bypass'] as const;
/** A response cache's outcome for one AI request (the request log's `cache`). */
export const CACHE_OUTCOMES = CACHE_STATUSES;
export type CacheOutcome = (typeof CACHE_OUTCOMES)[number];
/** What a rate limit or quota decided for one AI request (the request log's `limits`). */
export const LIMIT_DECISIONS = ['passed', 'throttled', 'refused'] as const;
export type LimitDecision = (typeof LIMIT_DECISIONS)[number];
/** Patterns a logged payload may have redacted besides credentials (`LOG_REDACT`). */
export const PAYLOAD_REDACTIONS = ['email', 'phone', 'card'] as const;

/**
 * What a provider is handed of a caller's remote image URLs (provider `metadata.image_urls`):
 * `public` URLs whose host the upstream address rules allow (no private, link-local, metadata or
 * internal hosts in any spelling; no allow-list exception), `resolve` the same plus a DNS check of
 * every address, `data_only` none (base64 data URLs only), `any` unchecked. Default: `resolve` for
 * an upstream reached through `ALLOWED_PRIVATE_UPSTREAMS` (it fetches from inside that network),
 * `public` otherwise.
 */
export const IMAGE_URL_POLICIES = ['public', 'resolve', 'data_only', 'any'] as const;

/** A circuit breaker's state (`lib/services/routing/circuit.ts`), as the provider API reports it. */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
