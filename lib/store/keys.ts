/**
 * The one module that builds keys of the single table. Nothing else concatenates key strings.
 * Every access pattern of `docs/data-model.md` maps to one function here. Key values start with an
 * entity prefix; user-chosen parts (names, model ids) are validated upstream to exclude `#`.
 */

export interface ItemKey {
  pk: string;
  sk: string;
}

export interface IndexKeys {
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk?: string;
  gsi2sk?: string;
}

const SEP = '#';
const join = (...parts: Array<string | number>) => parts.join(SEP);

/** Pads a non-negative integer so that string order equals numeric order. */
export const padNumber = (n: number, width = 6) => String(Math.max(0, Math.trunc(n))).padStart(width, '0');

export const keys = {
  // ── providers ───────────────────────────────────────────────────────────────
  provider: (providerId: string): ItemKey => ({ pk: join('PROVIDER', providerId), sk: 'PROVIDER' }),
  /** gsi1: every provider, in creation order (list providers). */
  providerIndex: (createdAt: string, providerId: string): IndexKeys => ({
    gsi1pk: 'PROVIDERS',
    gsi1sk: join(createdAt, providerId),
  }),
  providersPartition: () => 'PROVIDERS',
  /** Unique-name claim: one item per lower-cased provider name, written conditionally. */
  providerName: (name: string): ItemKey => ({ pk: join('PROVIDER_NAME', name.toLowerCase()), sk: 'NAME' }),

  // ── models (catalog) ────────────────────────────────────────────────────────
  model: (providerId: string, modelId: string): ItemKey => ({
    pk: join('PROVIDER', providerId),
    sk: join('MODEL', modelId),
  }),
  modelsOfProviderPrefix: () => join('MODEL', ''),
  /** gsi1: every model of every provider, by model id (list models, resolve a model name). */
  modelIndex: (modelId: string, providerId: string): IndexKeys => ({
    gsi1pk: 'MODELS',
    gsi1sk: join(modelId, providerId),
  }),
  modelsPartition: () => 'MODELS',

  // ── credentials ─────────────────────────────────────────────────────────────
  credential: (credentialId: string): ItemKey => ({ pk: join('CREDENTIAL', credentialId), sk: 'CREDENTIAL' }),
  /** gsi1: credentials of one provider, newest first by id. */
  credentialIndex: (providerId: string, credentialId: string): IndexKeys => ({
    gsi1pk: join('PROVIDER_CREDENTIALS', providerId),
    gsi1sk: credentialId,
  }),
  credentialsOfProvider: (providerId: string) => join('PROVIDER_CREDENTIALS', providerId),

  // ── routing rules ───────────────────────────────────────────────────────────
  routingRule: (ruleId: string): ItemKey => ({ pk: join('RULE', ruleId), sk: 'RULE' }),
  routingRuleIndex: (createdAt: string, ruleId: string): IndexKeys => ({
    gsi1pk: 'RULES',
    gsi1sk: join(createdAt, ruleId),
  }),
  routingRulesPartition: () => 'RULES',
  /** Round-robin cursor shared by every function instance (atomic ADD). */
  routingCounter: (ruleId: string): ItemKey => ({ pk: join('RULE', ruleId), sk: 'RR_COUNTER' }),
  /** Circuit state of a provider, or of a provider+model pair. */
  circuit: (providerId: string, modelId?: string): ItemKey => ({
    pk: join('PROVIDER', providerId),
    sk: modelId === undefined ? 'CIRCUIT' : join('CIRCUIT', modelId),
  }),

  // ── rate limits (fixed one-minute windows, sharded when hot) ───────────────
  rateWindow: (scope: string, minute: string, shard: number): ItemKey => ({
    pk: join('RATE', scope, minute, padNumber(shard, 2)),
    sk: 'RATE',
  }),

  // ── usage counters ──────────────────────────────────────────────────────────
  /** One counter per provider × bucket × dimensions × shard; sk sorts by time within a provider. */
  usageCounter: (input: {
    providerId: string;
    granularity: 'H' | 'D';
    bucket: string;
    dimensions: string;
    shard: number;
  }): ItemKey => ({
    pk: join('USAGE', input.providerId),
    sk: join(input.granularity, input.bucket, input.dimensions, padNumber(input.shard, 2)),
  }),
  usageRangeOfProvider: (providerId: string, granularity: 'H' | 'D') => ({
    pk: join('USAGE', providerId),
    prefix: join(granularity, ''),
  }),
  /** gsi1: every provider's counters of one day (usage across providers). */
  usageDayIndex: (day: string, providerId: string, sk: string): IndexKeys => ({
    gsi1pk: join('USAGE_DAY', day),
    gsi1sk: join(providerId, sk),
  }),

  // ── quotas ──────────────────────────────────────────────────────────────────
  quota: (quotaId: string): ItemKey => ({ pk: join('QUOTA', quotaId), sk: 'QUOTA' }),
  /** gsi1: quotas by the scope they watch (the enforcer finds quotas of a touched scope). */
  quotaScopeIndex: (scopeKey: string, quotaId: string): IndexKeys => ({
    gsi1pk: join('QUOTA_SCOPE', scopeKey),
    gsi1sk: quotaId,
  }),
  /** gsi2: every quota (list quotas). */
  quotaListIndex: (createdAt: string, quotaId: string): IndexKeys => ({
    gsi2pk: 'QUOTAS',
    gsi2sk: join(createdAt, quotaId),
  }),
  quotaState: (quotaId: string, window: string): ItemKey => ({
    pk: join('QUOTA', quotaId),
    sk: join('STATE', window),
  }),
  /** Strict budgets: reserved-then-settled spend of one quota window (conditional ADD). */
  quotaBudget: (quotaId: string, window: string): ItemKey => ({
    pk: join('QUOTA', quotaId),
    sk: join('BUDGET', window),
  }),

  // ── health ──────────────────────────────────────────────────────────────────
  healthCheck: (providerId: string, checkedAt: string, checkId: string): ItemKey => ({
    pk: join('HEALTH', providerId),
    sk: join(checkedAt, checkId),
  }),
  healthHistoryOfProvider: (providerId: string) => join('HEALTH', providerId),

  // ── incidents ───────────────────────────────────────────────────────────────
  incident: (incidentId: string): ItemKey => ({ pk: join('INCIDENT', incidentId), sk: 'INCIDENT' }),
  incidentIndex: (openedAt: string, incidentId: string): IndexKeys => ({
    gsi1pk: 'INCIDENTS',
    gsi1sk: join(openedAt, incidentId),
  }),
  incidentsPartition: () => 'INCIDENTS',
  incidentOfProviderIndex: (providerId: string, openedAt: string, incidentId: string): IndexKeys => ({
    gsi2pk: join('PROVIDER_INCIDENTS', providerId),
    gsi2sk: join(openedAt, incidentId),
  }),
  /** At most one open automatic incident per provider: created with attribute_not_exists. */
  openIncidentLock: (providerId: string): ItemKey => ({
    pk: join('PROVIDER', providerId),
    sk: 'OPEN_INCIDENT',
  }),

  // ── audit ───────────────────────────────────────────────────────────────────
  auditEvent: (day: string, sequence: number): ItemKey => ({
    pk: join('AUDIT', day),
    sk: padNumber(sequence, 12),
  }),
  auditDay: (day: string) => join('AUDIT', day),
  /** The head of the hash chain: last sequence and hash, advanced with a conditional update. */
  auditHead: (): ItemKey => ({ pk: 'AUDIT_HEAD', sk: 'AUDIT_HEAD' }),
  auditActorIndex: (actorKeyId: string, at: string): IndexKeys => ({
    gsi1pk: join('AUDIT_ACTOR', actorKeyId),
    gsi1sk: at,
  }),
  auditTargetIndex: (targetType: string, targetId: string, at: string): IndexKeys => ({
    gsi2pk: join('AUDIT_TARGET', targetType, targetId),
    gsi2sk: at,
  }),

  // ── API keys ────────────────────────────────────────────────────────────────
  /** Looked up by the authorizer with one GetItem: the key's HMAC is the partition key. */
  apiKeyByHash: (hmacHex: string): ItemKey => ({ pk: join('APIKEY', hmacHex), sk: 'APIKEY' }),
  apiKeyIdIndex: (keyId: string): IndexKeys => ({ gsi1pk: join('APIKEY_ID', keyId), gsi1sk: 'APIKEY' }),
  apiKeyListIndex: (createdAt: string, keyId: string): IndexKeys => ({
    gsi2pk: 'APIKEYS',
    gsi2sk: join(createdAt, keyId),
  }),

  /** Reverse reference: a routing rule uses a provider (checked before a provider is deleted). */
  providerRuleRef: (providerId: string, ruleId: string): ItemKey => ({
    pk: join('PROVIDER', providerId),
    sk: join('RULE_REF', ruleId),
  }),
  providerRuleRefPrefix: () => join('RULE_REF', ''),
} as const;
