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
  gsi3pk?: string;
  gsi3sk?: string;
  gsi4pk?: string;
  gsi4sk?: string;
  gsi5pk?: string;
  gsi5sk?: string;
}

const SEP = '#';
const join = (...parts: Array<string | number>) => parts.join(SEP);

/**
 * Shards of a provider's usage: its hourly counters and their daily and monthly rollups live in
 * `USAGE_SHARDS` partitions (`USAGE#<provider>#<shard>`), and the rollups' gsi1 partitions are split
 * the same way (`USAGE_DAYS#<month>#<shard>`, `USAGE_MONTHS#<year>#<shard>`). Readers query every
 * shard and the unsharded partition of earlier versions ({@link usageShards}) and sum.
 *
 * Why 128: one provider at 10,000 AI requests a second puts 10,000 / 128 ≈ 78 counter writes a
 * second on a shard. A writer (one Lambda container, one local process) keeps to its own shard, so
 * a counter item carries the idempotency marks (≈ 17 bytes each) of about C / 128 writers, C being
 * the concurrent containers (requests a second × seconds per request): at C = 10,000 an item is
 * ≈ 2 KB, 78 × 2 = 156 write units a second per shard, 16 % of a partition's 1,000 (rollups add
 * ≤ 2 writes per stream batch). The cost: a usage or quota read fans out to 129 queries.
 */
export const USAGE_SHARDS = 128;

/**
 * Every shard a provider's usage may be stored in: `undefined` (the unsharded partition written by
 * versions before {@link USAGE_SHARDS}, still read so that no history is lost), then 0 … 127.
 */
export const usageShards = (): Array<number | undefined> => withUnsharded(USAGE_SHARDS);

/** `undefined` (the unsharded partition of earlier versions), then shards 0 … n − 1. */
const withUnsharded = (n: number): Array<number | undefined> => [
  undefined,
  ...Array.from({ length: n }, (_, shard) => shard),
];

/**
 * Shards of a response-cache namespace (`CACHE#<namespace>#<shard>`, by a hash of the request
 * hash). One key (or the global namespace) at 10,000 requests a second looks up 10,000 entries a
 * second and, on misses, writes as many (a compressed answer, 1–5 KB): in one partition up to
 * 20,000 read units and 50,000 write units a second. Over 128 shards a shard sees ≈ 78 lookups and
 * ≤ 78 writes a second (≤ 390 write units for 5 KB entries). A purge of a namespace queries every
 * shard and the unsharded partition of earlier versions. One entry asked for by every request (the
 * same prompt) is one item, which no shard count spreads: see docs/cache.md.
 */
export const CACHE_SHARDS = 128;

/** Every partition of a cache namespace: the unsharded one of earlier versions, then each shard. */
export const cacheShards = (): Array<number | undefined> => withUnsharded(CACHE_SHARDS);

/**
 * Shards of the quota states' gsi2 partition (`QUOTA_STATES#<shard>`, by a hash of the quota id).
 * Every evaluation of the quota enforcer writes a state (≈ 0.5 KB), so at 10,000 requests a second
 * the states of the quotas every batch touches (global, provider, model, key, team) are written
 * about once per stream batch each, a few hundred to thousands of writes a second for one partition;
 * 16 shards keep a shard's share of them under a sixteenth. The request path's snapshot reads the
 * states' copies in one of the {@link QUOTA_READ_REPLICAS} (every shard of the current windows);
 * these primary partitions, and the unsharded one of earlier versions, only until its replica is
 * marked complete.
 */
export const QUOTA_STATE_SHARDS = 16;

/**
 * Read replicas of what the request path's quota snapshot reads: the quota list and the current
 * windows' states. Every warm container refreshes its snapshot every 4 s (the quota contract: a
 * block within 5 s of the crossing), so at 10,000 requests a second (40,000 containers, each serving
 * one request per refresh) the list and every state partition would be read 10,000 times a second:
 * 5,000 read units, over a partition's 3,000. Writers write all 8 copies (quota changes: admin
 * only; states: once per enforcer evaluation); a refresh reads one copy at random, so each copy's
 * partitions see an eighth of the refreshes (≈ 625 read units a second at 10,000 req/s).
 */
export const QUOTA_READ_REPLICAS = 8;

/** A stable shard in [0, n) of an id (FNV-1a): the same id always lands on the same shard. */
export function shardOfId(id: string, n: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % n;
}

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
  /** gsi2: every credential, by id (creation order): what the re-wrap and sweep page through. */
  credentialListIndex: (credentialId: string): IndexKeys => ({
    gsi2pk: 'CREDENTIALS',
    gsi2sk: credentialId,
  }),
  credentialsPartition: () => 'CREDENTIALS',

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
  /**
   * gsi1, sparse: set only while a circuit is open or half-open (removed when it closes), so the
   * routing cache reads every non-closed circuit with one query.
   */
  openCircuitIndex: (providerId: string, modelId?: string): IndexKeys => ({
    gsi1pk: 'OPEN_CIRCUITS',
    gsi1sk: modelId === undefined ? providerId : join(providerId, modelId),
  }),
  openCircuitsPartition: () => 'OPEN_CIRCUITS',
  /** Shared latency EWMA of a provider+model (least_latency): written on change and by health checks. */
  latency: (providerId: string, modelId: string): ItemKey => ({
    pk: join('PROVIDER', providerId),
    sk: join('LATENCY', modelId),
  }),
  latencyOfProviderPrefix: () => join('LATENCY', ''),

  // ── rate limits (fixed one-minute windows, sharded when hot) ───────────────
  rateWindow: (scope: string, minute: string, shard: number): ItemKey => ({
    pk: join('RATE', scope, minute, padNumber(shard, 2)),
    sk: 'RATE',
  }),

  // ── usage counters ──────────────────────────────────────────────────────────
  /**
   * The dimensions part of a usage key: model, API key, service type and, for a key of a team, the
   * team (a key never changes team, so this splits no key's counter; keys without a team keep the
   * three-part form). Model ids exclude `#` and `|` (see `modelIdSchema`); the model comes first
   * so one model's rows share a prefix.
   */
  usageDimensions: (input: {
    modelId: string;
    apiKeyId: string;
    serviceType: string;
    teamId?: string | undefined;
  }) =>
    `m=${input.modelId}|k=${input.apiKeyId}|s=${input.serviceType}${input.teamId ? `|t=${input.teamId}` : ''}`,
  /** Prefix of every dimensions string of one model (model-scoped quotas). */
  usageModelDimensionsPrefix: (modelId: string) => `m=${modelId}|`,
  /**
   * The partition of one usage shard of a provider (`USAGE#<pid>#<shard, 3 digits>`), or with
   * `shard` undefined the unsharded one of earlier versions (`USAGE#<pid>`, read, no longer written).
   */
  usagePartition: (providerId: string, shard: number | undefined) =>
    shard === undefined ? join('USAGE', providerId) : join('USAGE', providerId, padNumber(shard, 3)),
  /**
   * One hot counter per provider × hour × dimensions × shard (atomic `ADD`); sk sorts by time. In
   * the shard's partition; `legacy` names the item as earlier versions keyed it (unsharded `pk`).
   */
  usageCounter: (input: {
    providerId: string;
    granularity: 'H' | 'D';
    bucket: string;
    dimensions: string;
    shard: number;
    legacy?: boolean;
  }): ItemKey => ({
    pk: keys.usagePartition(input.providerId, input.legacy ? undefined : input.shard),
    sk: join(input.granularity, input.bucket, input.dimensions, padNumber(input.shard, 2)),
  }),
  /** A provider's hourly counters (`H`) or rollups (`D`, `M`) in one usage shard (a partition and an sk prefix). */
  usageRangeOfProvider: (providerId: string, granularity: 'H' | 'D' | 'M', shard?: number) => ({
    pk: keys.usagePartition(providerId, shard),
    prefix: join(granularity, ''),
  }),
  /** A provider's hourly counters of one shard from hour `from` to hour `to` (inclusive, `yyyy-mm-ddThh`). */
  usageHourlyRange: (providerId: string, from: string, to: string, shard?: number) => ({
    pk: keys.usagePartition(providerId, shard),
    lower: join('H', from, ''),
    upper: join('H', to, '\uffff'),
  }),
  /** Sort-key prefix of every hourly counter (the quota enforcer's stream filter). */
  usageHourlySkPrefix: () => join('H', ''),
  /**
   * A rollup of one provider × dimensions × shard over a day (`D`, bucket `yyyy-mm-dd`, one entry
   * per hour) or a month (`M`, bucket `yyyy-mm`, one entry per day), written by the stream consumer
   * into its counters' partition. `shard` undefined: the unsharded rollup of earlier versions (an
   * entry per hour and counter shard).
   */
  usageRollup: (input: {
    providerId: string;
    period: 'D' | 'M';
    bucket: string;
    dimensions: string;
    shard: number | undefined;
  }): ItemKey => ({
    pk: keys.usagePartition(input.providerId, input.shard),
    sk: join(input.period, input.bucket, input.dimensions),
  }),
  /** A provider's rollups of one shard from bucket `from` to bucket `to` (inclusive; `sk BETWEEN lower AND upper`). */
  usageRollupRange: (providerId: string, period: 'D' | 'M', from: string, to: string, shard?: number) => ({
    pk: keys.usagePartition(providerId, shard),
    lower: join(period, from, ''),
    upper: join(period, to, '\uffff'),
  }),
  /**
   * gsi1 of rollups (usage across providers): daily rollups are grouped by month and shard
   * (`USAGE_DAYS#yyyy-mm#sss`, sk `day#provider#dims`), monthly ones by year and shard
   * (`USAGE_MONTHS#yyyy#sss`); without a shard, the partitions of earlier versions.
   */
  usageRollupIndex: (input: {
    providerId: string;
    period: 'D' | 'M';
    bucket: string;
    dimensions: string;
    shard: number | undefined;
  }): IndexKeys => ({
    gsi1pk: keys.usageRollupIndexPartition(input.period, input.bucket, input.shard),
    gsi1sk: join(input.bucket, input.providerId, input.dimensions),
  }),
  /** The gsi1 partition of one shard holding rollups of `bucket` (a day for D, a month for M). */
  usageRollupIndexPartition: (period: 'D' | 'M', bucket: string, shard: number | undefined) => {
    const base =
      period === 'D' ? join('USAGE_DAYS', bucket.slice(0, 7)) : join('USAGE_MONTHS', bucket.slice(0, 4));
    return shard === undefined ? base : join(base, padNumber(shard, 3));
  },
  /** The gsi1 partition of one shard holding rollups of `from`, and the sk bounds of buckets `from`..`to`. */
  usageRollupIndexRange: (period: 'D' | 'M', from: string, to: string, shard?: number) => ({
    gsi1pk: keys.usageRollupIndexPartition(period, from, shard),
    lower: join(from, ''),
    upper: join(to, '\uffff'),
  }),

  // ── quotas ──────────────────────────────────────────────────────────────────
  quota: (quotaId: string): ItemKey => ({ pk: join('QUOTA', quotaId), sk: 'QUOTA' }),
  /**
   * What a quota watches, as one string: `global`, `provider:<pid>`, `model:<pid>:<model id>`,
   * `api_key:<key id>` (every provider), `api_key:<key id>:<pid>` (one provider) or `team:<team id>`
   * (every team quota, narrowed by provider or model in code).
   */
  quotaScopeKey: (input: {
    scope: string;
    providerId?: string;
    modelId?: string;
    apiKeyId?: string;
    teamId?: string;
  }): string => {
    if (input.scope === 'global') return 'global';
    if (input.scope === 'team') return `team:${input.teamId}`;
    if (input.scope === 'provider') return `provider:${input.providerId}`;
    if (input.scope === 'model') return `model:${input.providerId}:${input.modelId}`;
    return input.providerId ? `api_key:${input.apiKeyId}:${input.providerId}` : `api_key:${input.apiKeyId}`;
  },
  /** gsi1: quotas by the scope they watch (the enforcer finds quotas of a touched scope). */
  quotaScopeIndex: (scopeKey: string, quotaId: string): IndexKeys => ({
    gsi1pk: join('QUOTA_SCOPE', scopeKey),
    gsi1sk: quotaId,
  }),
  quotaScopePartition: (scopeKey: string) => join('QUOTA_SCOPE', scopeKey),
  /** gsi2: every quota (list quotas; the request path's quota cache). */
  quotaListIndex: (createdAt: string, quotaId: string): IndexKeys => ({
    gsi2pk: 'QUOTAS',
    gsi2sk: join(createdAt, quotaId),
  }),
  quotasPartition: () => 'QUOTAS',
  /** State of one quota window (`yyyy-mm-dd` or `yyyy-mm`), written by the enforcer. */
  quotaState: (quotaId: string, window: string): ItemKey => ({
    pk: join('QUOTA', quotaId),
    sk: join('STATE', window),
  }),
  /**
   * gsi2: every quota's state, by window, in the quota's shard of {@link QUOTA_STATE_SHARDS}: the
   * request path reads the current windows' states from every shard.
   */
  quotaStateIndex: (window: string, quotaId: string): IndexKeys => ({
    gsi2pk: keys.quotaStatesPartition(shardOfId(quotaId, QUOTA_STATE_SHARDS)),
    gsi2sk: join(window, quotaId),
  }),
  /** One shard of the quota states' gsi2 partition; without a shard, the one of earlier versions. */
  quotaStatesPartition: (shard?: number) =>
    shard === undefined ? 'QUOTA_STATES' : join('QUOTA_STATES', padNumber(shard, 2)),
  /** Every partition a current state may be in: the unsharded one of earlier versions, then each shard. */
  quotaStatesPartitions: () => [
    keys.quotaStatesPartition(),
    ...Array.from({ length: QUOTA_STATE_SHARDS }, (_, shard) => keys.quotaStatesPartition(shard)),
  ],
  /**
   * Copy `replica` of a quota's definition (or its tombstone once deleted), in a partition of its
   * own (`QUOTA#<id>#R#<replica>`): a copy's writes never share the quota's partition. Sort key
   * `READ`, so the audit trail (which follows `QUOTA` items) never sees a copy.
   */
  quotaReplica: (quotaId: string, replica: number): ItemKey => ({
    pk: join('QUOTA', quotaId, 'R', replica),
    sk: 'READ',
  }),
  /** gsi2: every quota in one read replica, in creation order (the request path's snapshot). */
  quotaReplicaIndex: (replica: number, createdAt: string, quotaId: string): IndexKeys => ({
    gsi2pk: keys.quotaReplicasPartition(replica),
    gsi2sk: join(createdAt, quotaId),
  }),
  quotaReplicasPartition: (replica: number) => join('QUOTAS', 'R', replica),
  /**
   * The mark that read replica `replica` holds every quota and current state (written once the
   * first reconciliation copied them): without it the snapshot reads the primary partitions.
   * In the replica's gsi2 partition, sorted after every quota (`~` > digits).
   */
  quotaReplicaMarker: (replica: number): ItemKey => ({ pk: join('QUOTA', 'REPLICA', replica), sk: 'MARKER' }),
  quotaReplicaMarkerIndex: (replica: number): IndexKeys => ({
    gsi2pk: keys.quotaReplicasPartition(replica),
    gsi2sk: '~complete',
  }),
  /** Copy `replica` of a quota window's state (written by the enforcer after the state itself). */
  quotaStateReplica: (quotaId: string, window: string, replica: number): ItemKey => ({
    pk: join('QUOTA', quotaId, 'R', replica),
    sk: join('STATE', window),
  }),
  /** gsi2 of a state's copy: the quota's state shard, in the replica's own partitions. */
  quotaStateReplicaIndex: (window: string, quotaId: string, replica: number): IndexKeys => ({
    gsi2pk: keys.quotaStateReplicaPartition(shardOfId(quotaId, QUOTA_STATE_SHARDS), replica),
    gsi2sk: join(window, quotaId),
  }),
  quotaStateReplicaPartition: (shard: number, replica: number) =>
    join('QUOTA_STATES', padNumber(shard, 2), 'R', replica),
  /** Every state partition of one read replica (one per state shard). */
  quotaStateReplicaPartitions: (replica: number) =>
    Array.from({ length: QUOTA_STATE_SHARDS }, (_, shard) => keys.quotaStateReplicaPartition(shard, replica)),
  /** Sort-key prefix of the states of one window in {@link keys.quotaStatesPartition}. */
  quotaStatesOfWindowPrefix: (window: string) => join(window, ''),
  /** Strict budgets: reserved-then-settled spend of one quota window (conditional ADD). */
  /**
   * The part of a quota window's usage found in one usage shard (`undefined`: the unsharded
   * partition of earlier versions), for one version of the quota: the quota enforcer re-reads only
   * the shards a batch touched and sums the parts. A partition per quota and shard, so the lanes
   * that own different shards never write the same partition.
   */
  quotaPart: (quotaId: string, shard: number | undefined, window: string, version: number): ItemKey => ({
    pk: join('QUOTA', quotaId, 'PART', shard === undefined ? 'legacy' : padNumber(shard, 3)),
    sk: join('PART', window, `v${version}`),
  }),
  quotaBudget: (quotaId: string, window: string): ItemKey => ({
    pk: join('QUOTA', quotaId),
    sk: join('BUDGET', window),
  }),
  /** A reservation's attribute on the budget item (released exactly once at settle). */
  quotaReservationAttribute: (reservationId: string) => `r_${reservationId}`,

  // ── health ──────────────────────────────────────────────────────────────────
  healthCheck: (providerId: string, checkedAt: string, checkId: string): ItemKey => ({
    pk: join('HEALTH', providerId),
    sk: join(checkedAt, checkId),
  }),
  healthHistoryOfProvider: (providerId: string) => join('HEALTH', providerId),
  /**
   * Sort-key bounds of a time range over items whose sort key starts with an ISO-8601 instant
   * (`<iso>#<id>`): health checks, and incidents on gsi1/gsi2. Either end may be open.
   */
  timeRange: (fromIso?: string, toIso?: string) => ({
    from: fromIso ?? '0000',
    // '~' sorts after every id character, so the end instant is inclusive.
    to: join(toIso ?? '9999', '~'),
  }),
  /** Derived health of a provider (counters, EWMA, last slot), under the provider so deletes cascade. */
  providerHealthState: (providerId: string): ItemKey => ({
    pk: join('PROVIDER', providerId),
    sk: 'HEALTH_STATE',
  }),
  /** Hourly roll-up of counted checks (total / up) of a provider, for uptime over 24 h and 7 d. */
  healthHourly: (providerId: string, hour: string): ItemKey => ({
    pk: join('HEALTH_HOURLY', providerId),
    sk: hour,
  }),
  healthHourlyOfProvider: (providerId: string) => join('HEALTH_HOURLY', providerId),

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
  incidentsOfProvider: (providerId: string) => join('PROVIDER_INCIDENTS', providerId),
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
  /** Marks a stream record (by its eventID) as appended: replays of the record are skipped. */
  auditSource: (sourceId: string): ItemKey => ({ pk: join('AUDIT_SOURCE', sourceId), sk: 'SOURCE' }),
  /** gsi1 partition of one actor's events ({@link keys.auditActorIndex}). */
  auditActorPartition: (actorKeyId: string) => join('AUDIT_ACTOR', actorKeyId),
  /** gsi2 partition of one target's events ({@link keys.auditTargetIndex}). */
  auditTargetPartition: (targetType: string, targetId: string) => join('AUDIT_TARGET', targetType, targetId),
  /** gsi1: one actor's events; `gsi1sk = <recorded at>#<sequence>` (time order, unique). */
  auditActorIndex: (actorKeyId: string, at: string, sequence: number): IndexKeys => ({
    gsi1pk: join('AUDIT_ACTOR', actorKeyId),
    gsi1sk: join(at, padNumber(sequence, 12)),
  }),
  /** gsi2: one target's events; `gsi2sk = <recorded at>#<sequence>`. */
  auditTargetIndex: (targetType: string, targetId: string, at: string, sequence: number): IndexKeys => ({
    gsi2pk: join('AUDIT_TARGET', targetType, targetId),
    gsi2sk: join(at, padNumber(sequence, 12)),
  }),

  /**
   * A security refusal (role, scope, credential move, key escalation) of one key, recorded at most
   * once per key, minute, reason and route: the audit writer turns the item into an event, and the
   * item itself only serves that de-duplication (a short TTL).
   */
  accessDenial: (actorKeyId: string, minute: string, reason: string, route: string): ItemKey => ({
    pk: join('DENIAL', actorKeyId),
    sk: join(minute, reason, route),
  }),
  /** Partition prefix of {@link keys.accessDenial} items (the audit writer watches it). */
  accessDenialPrefix: () => join('DENIAL', ''),

  // ── API keys ────────────────────────────────────────────────────────────────
  /** Looked up by the authorizer with one GetItem: the key's HMAC is the partition key. */
  apiKeyByHash: (hmacHex: string): ItemKey => ({ pk: join('APIKEY', hmacHex), sk: 'APIKEY' }),
  apiKeyIdIndex: (keyId: string): IndexKeys => ({ gsi1pk: join('APIKEY_ID', keyId), gsi1sk: 'APIKEY' }),
  apiKeyListIndex: (createdAt: string, keyId: string): IndexKeys => ({
    gsi2pk: 'APIKEYS',
    gsi2sk: join(createdAt, keyId),
  }),
  /** gsi2 partition of {@link keys.apiKeyListIndex}: every key record, in creation order. */
  apiKeysPartition: () => 'APIKEYS',
  /**
   * A key's record by id (strongly consistent reads): name, role, scope, status and the hashes of
   * its live secrets. Revoke and rotate serialise on its version; the secret items copy what the
   * authorizer needs so that authentication stays one read.
   */
  apiKeyRecord: (keyId: string): ItemKey => ({ pk: join('APIKEY_RECORD', keyId), sk: 'RECORD' }),
  /**
   * What every {@link keys.apiKeyRecord} partition key starts with: the stack limits the authorizer's
   * one write (`last_used_at`) to these items with IAM's `dynamodb:LeadingKeys`.
   */
  apiKeyRecordPrefix: () => join('APIKEY_RECORD', ''),

  // ── teams ─────────────────────────────────────────────────────────────────
  team: (teamId: string): ItemKey => ({ pk: join('TEAM', teamId), sk: 'TEAM' }),
  /** gsi1: every team, in creation order (list teams). */
  teamIndex: (createdAt: string, teamId: string): IndexKeys => ({
    gsi1pk: 'TEAMS',
    gsi1sk: join(createdAt, teamId),
  }),
  teamsPartition: () => 'TEAMS',
  /** Unique-name claim: one item per lower-cased team name, written conditionally. */
  teamName: (name: string): ItemKey => ({ pk: join('TEAM_NAME', name.toLowerCase()), sk: 'NAME' }),
  /** gsi1 of an API key record whose key belongs to a team: the team's keys, in creation order. */
  teamKeyIndex: (teamId: string, createdAt: string, keyId: string): IndexKeys => ({
    gsi1pk: join('TEAM_KEYS', teamId),
    gsi1sk: join(createdAt, keyId),
  }),
  teamKeysPartition: (teamId: string) => join('TEAM_KEYS', teamId),

  /** Reverse reference: a routing rule uses a provider (checked before a provider is deleted). */
  providerRuleRef: (providerId: string, ruleId: string): ItemKey => ({
    pk: join('PROVIDER', providerId),
    sk: join('RULE_REF', ruleId),
  }),
  providerRuleRefPrefix: () => join('RULE_REF', ''),

  // ── stored responses (the Responses API) ────────────────────────────────────
  /**
   * One part of a stored response: `R` parts hold the response object, `C` parts the conversation
   * it answered; each is gzip-compressed JSON cut into parts that fit DynamoDB's 400 KB item limit.
   * `R#000` also holds the owner (the API key id) and the number of parts of each kind.
   */
  responsePart: (responseId: string, kind: 'R' | 'C', part: number): ItemKey => ({
    pk: join('RESPONSE', responseId),
    sk: join(kind, padNumber(part, 3)),
  }),
  /** The parts of one stored response: of one kind (in order), or all of them (`kind` omitted). */
  responseParts: (responseId: string, kind?: 'R' | 'C') => ({
    partition: join('RESPONSE', responseId),
    ...(kind === undefined ? {} : { skPrefix: join(kind, '') }),
  }),

  // ── response cache ──────────────────────────────────────────────────────────
  /**
   * One cached answer: every entry of a namespace (`global`, a key id or a team id) under one
   * partition, sorted by model, so a namespace or one model of it is dropped with a query, no scan.
   */
  cacheEntry: (namespace: string, modelId: string, hash: string): ItemKey => ({
    pk: keys.cachePartition(namespace, shardOfId(hash, CACHE_SHARDS)),
    sk: join('E', modelId, hash),
  }),
  /** One shard of a namespace's partition; without a shard, the unsharded one of earlier versions. */
  cachePartition: (namespace: string, shard: number | undefined) =>
    shard === undefined ? join('CACHE', namespace) : join('CACHE', namespace, padNumber(shard, 3)),
  /** The entries of a namespace, or of one model in it, in one shard ({@link cacheShards}). */
  cacheEntries: (namespace: string, modelId: string | undefined, shard: number | undefined) => ({
    partition: keys.cachePartition(namespace, shard),
    skPrefix: modelId === undefined ? join('E', '') : join('E', modelId, ''),
  }),
  /** Which namespaces hold entries of a model (one small item per pair): drops a model everywhere. */
  cacheModelNamespace: (modelId: string, namespace: string): ItemKey => ({
    pk: join('CACHE_MODEL', modelId),
    sk: namespace,
  }),
  cacheModelNamespaces: (modelId: string) => ({ partition: join('CACHE_MODEL', modelId) }),
  /** A cache purge, kept only to become one audit event (insert-only, short TTL). */
  cachePurge: (purgeId: string): ItemKey => ({ pk: join('CACHE_PURGE', purgeId), sk: 'PURGE' }),
  // ── request logs (one record per AI request) ────────────────────────────────
  /** A request's record (`LOG`) and, when payload logging is on for it, its bodies (`PAYLOAD`). */
  requestLog: (requestId: string, part: 'LOG' | 'PAYLOAD' = 'LOG'): ItemKey => ({
    pk: join('LOG', requestId),
    sk: part,
  }),
  /**
   * One partition of a request-log index: a dimension (`T` time, `E` errors by time, `K` API key,
   * `P` provider, `M` model, `G` team), its value (empty for time and errors), the UTC day and the
   * shard. Every index sorts by {@link keys.requestLogSort}, so partitions merge by time.
   */
  requestLogPartition: (
    dimension: 'T' | 'E' | 'K' | 'P' | 'M' | 'G',
    value: string,
    day: string,
    shard: number,
  ) => join('LOGS', dimension, value, day, padNumber(shard, 2)),
  /** Sort key of a record in every index: its time (ISO, ms) then its request id, unique and time-ordered. */
  requestLogSort: (atIso: string, requestId: string) => join(atIso, requestId),

  // ── system ──────────────────────────────────────────────────────────────────
  /** A key no item ever has: `GET /health` reads it to prove the table answers (half a read unit). */
  healthProbe: (): ItemKey => ({ pk: 'HEALTH_PROBE', sk: 'HEALTH_PROBE' }),
} as const;

/**
 * The partition-key prefix of every kind of item the gateway writes. IAM write grants are built from
 * these (`dynamodb:LeadingKeys`, which sees whole partition keys, matched as `<prefix>*`), so a kind
 * is a partition prefix: items that share a partition share a kind (a provider's models, circuits,
 * latency, health state, incident lock and rule references all live under `PROVIDER#<id>`).
 * No prefix is a prefix of another kind's partition keys.
 */
export const ITEM_PARTITIONS = {
  provider: join('PROVIDER', ''),
  providerName: join('PROVIDER_NAME', ''),
  credential: join('CREDENTIAL', ''),
  routingRule: join('RULE', ''),
  rateWindow: join('RATE', ''),
  usage: join('USAGE', ''),
  quota: join('QUOTA', ''),
  healthCheck: join('HEALTH', ''),
  healthHourly: join('HEALTH_HOURLY', ''),
  incident: join('INCIDENT', ''),
  auditEvent: join('AUDIT', ''),
  auditHead: keys.auditHead().pk,
  auditSource: join('AUDIT_SOURCE', ''),
  accessDenial: keys.accessDenialPrefix(),
  apiKeySecret: join('APIKEY', ''),
  apiKeyRecord: keys.apiKeyRecordPrefix(),
  team: join('TEAM', ''),
  teamName: join('TEAM_NAME', ''),
  response: join('RESPONSE', ''),
  cacheEntry: join('CACHE', ''),
  cacheModel: join('CACHE_MODEL', ''),
  cachePurge: join('CACHE_PURGE', ''),
  requestLog: join('LOG', ''),
} as const;

/** A kind of item, by its partition prefix ({@link ITEM_PARTITIONS}). */
export type ItemKind = keyof typeof ITEM_PARTITIONS;

/** The kind of a partition key, or `undefined` for a key of no declared kind. */
export function itemKindOf(pk: string): ItemKind | undefined {
  const kinds = Object.entries(ITEM_PARTITIONS) as Array<[ItemKind, string]>;
  // Longest prefix first: `HEALTH_HOURLY#…` is not a `HEALTH#…` key, but be explicit anyway.
  kinds.sort((a, b) => b[1].length - a[1].length);
  return kinds.find(([, prefix]) => (prefix.endsWith(SEP) ? pk.startsWith(prefix) : pk === prefix))?.[0];
}
