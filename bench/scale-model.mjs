/**
 * The scale model (docs/scale.md quotes it): every DynamoDB read and write an AI request causes in
 * AWS, directly and through the stream consumers, with its partition key pattern, size in capacity
 * units and how many partitions the load spreads over; then the rate each partition sees at a given
 * AI request rate (plus admin reads at 1 %), against DynamoDB's per-partition limits.
 *
 * Frequencies are AWS's, not the local runtime's: one request per Lambda container (no group commit
 * merges usage writes), per-container caches (authorizer 60 s, routing snapshot 60 s, quota-state
 * snapshot 4 s), stream batches of up to 100 records polled about 4 times a second per shard, a
 * stream shard per ~1,000 table writes a second carrying its share of the usage partitions.
 * Sizes are the ones `bench/partitions.mjs` measures (item sizes of this code base), rounded up.
 *
 * Pure: `node -e "import('./bench/scale-model.mjs').then(m => console.log(m.modelRates({ rps: 10000 })))"`.
 */

/** DynamoDB's per-partition ceilings (units a second). */
export const LIMITS = { wcu: 1000, rcu: 3000 };

/**
 * Shard counts of the partitions the request path spreads. `loadShards()` replaces these with the
 * constants of lib/store/keys.ts and lib/services/logs/record.ts when run under tsx.
 */
export const SHARDS = {
  /** Request-log index partitions per dimension and day (`REQUEST_LOG_SHARDS`). */
  requestLog: 4,
  /** `USAGE#<provider>#<shard>` partitions the hourly counters and rollups spread over (`USAGE_SHARDS`). */
  usage: 1,
  /** `USAGE_DAYS#<month>` / `USAGE_MONTHS#<year>` index partitions. */
  usageRollupIndex: 1,
  /** `QUOTA_STATES#<shard>` index partitions (`QUOTA_STATE_SHARDS`). */
  quotaStates: 1,
  /** Read replicas of the quota snapshot (`QUOTA_READ_REPLICAS`): a refresh reads one at random. */
  quotaReadReplicas: 1,
};

/** Reads the shard constants the code exports (needs tsx's loader; keeps the defaults otherwise). */
export async function loadShards() {
  try {
    const logs = await import('../lib/services/logs/record.ts');
    SHARDS.requestLog = logs.REQUEST_LOG_SHARDS ?? SHARDS.requestLog;
  } catch {
    // plain node: the defaults above
  }
  try {
    const keys = await import('../lib/store/keys.ts');
    // Usage counters, their rollups and the rollups' gsi1 partitions share one shard count.
    SHARDS.usage = keys.USAGE_SHARDS ?? SHARDS.usage;
    SHARDS.usageRollupIndex = keys.USAGE_SHARDS ?? SHARDS.usageRollupIndex;
    SHARDS.quotaStates = keys.QUOTA_STATE_SHARDS ?? SHARDS.quotaStates;
    SHARDS.quotaReadReplicas = keys.QUOTA_READ_REPLICAS ?? SHARDS.quotaReadReplicas;
  } catch {
    // plain node: the defaults above
  }
  return SHARDS;
}

/** Partitions a usage read queries: every shard, plus the unsharded one of earlier versions. */
export const usageFanout = () => (SHARDS.usage > 1 ? SHARDS.usage + 1 : 1);

/**
 * The share of per-container refreshes one partition of `entry` sees: a refresh queries `times`
 * of the `spread` partitions (1 for a snapshot that reads every partition of its pattern; an
 * eighth for the quota snapshot, which reads one of 8 replicas).
 */
export const refreshShare = (entry, s = DEFAULTS) =>
  (typeof entry.times === 'function' ? entry.times(s) : (entry.times ?? 1)) / entry.spread(s);

/** Assumptions of a scenario; every field can be overridden. */
export const DEFAULTS = {
  /** Distinct invoke keys the traffic is spread over (1: worst case). */
  keys: 1,
  providers: 1,
  models: 1,
  /** Quotas watching the traffic's scope (each evaluated per batch). */
  quotas: 1,
  /** Seconds an AI request holds its Lambda (upstream time dominates; docs/cost.md assumes 4 s). */
  durationSeconds: 4,
  /** Stream poller: records per batch at most, and polls a second per stream shard. */
  batchSize: 100,
  pollsPerSecond: 4,
};

/**
 * Every DynamoDB operation, per AI request kind and admin call. `per`: what its frequency counts
 * (`request`: per AI request; `container`: per warm container every `everySeconds`; `batch`: per
 * quota-enforcer batch; `admin`: per admin call); `times` multiplies; `units`: capacity units per
 * operation; `spread(s)`: partitions the load spreads over (uniformly); `via`: who issues it.
 */
export const OPERATIONS = [
  // The AI request (chat, Messages, Responses, embeddings: one usage counter, one log record each).
  {
    name: 'request log item',
    op: 'write',
    index: 'table',
    pattern: 'LOG#<request>',
    per: 'request',
    units: 2,
    spread: () => Number.POSITIVE_INFINITY,
    via: 'request',
  },
  {
    name: 'request log by team',
    op: 'write',
    index: 'gsi1',
    pattern: 'LOGS#T#<team>#<day>#<shard>',
    per: 'request',
    units: 2,
    spread: () => SHARDS.requestLog,
    via: 'request',
  },
  {
    name: 'request log by key',
    op: 'write',
    index: 'gsi2',
    pattern: 'LOGS#K#<key>#<day>#<shard>',
    per: 'request',
    units: 2,
    spread: (s) => SHARDS.requestLog * s.keys,
    via: 'request',
  },
  {
    name: 'request log by provider',
    op: 'write',
    index: 'gsi3',
    pattern: 'LOGS#P#<provider>#<day>#<shard>',
    per: 'request',
    units: 2,
    spread: (s) => SHARDS.requestLog * s.providers,
    via: 'request',
  },
  {
    name: 'request log by model',
    op: 'write',
    index: 'gsi4',
    pattern: 'LOGS#M#<model>#<day>#<shard>',
    per: 'request',
    units: 2,
    spread: (s) => SHARDS.requestLog * s.models,
    via: 'request',
  },
  {
    name: 'hourly usage counter (ADD)',
    op: 'write',
    index: 'table',
    pattern: 'USAGE#<provider>',
    per: 'request',
    units: 1,
    spread: (s) => SHARDS.usage * s.providers,
    via: 'request',
  },
  {
    name: 'quota-state snapshot (one replica, every state shard)',
    op: 'read',
    index: 'gsi2',
    pattern: 'QUOTA_STATES#<shard>#R#<replica>',
    per: 'container',
    everySeconds: 4,
    // One query per state shard of one replica chosen at random: a partition sees 1/replicas of them.
    times: () => SHARDS.quotaStates,
    units: 0.5,
    spread: () => SHARDS.quotaStates * SHARDS.quotaReadReplicas,
    via: 'request',
  },
  {
    name: 'routing snapshot: models',
    op: 'read',
    index: 'gsi1',
    pattern: 'MODELS',
    per: 'container',
    everySeconds: 60,
    units: 0.5,
    spread: () => 1,
    via: 'request',
  },
  {
    name: 'routing snapshot: providers',
    op: 'read',
    index: 'gsi1',
    pattern: 'PROVIDERS',
    per: 'container',
    everySeconds: 60,
    units: 0.5,
    spread: () => 1,
    via: 'request',
  },
  {
    name: 'routing snapshot: rules',
    op: 'read',
    index: 'gsi1',
    pattern: 'RULES',
    per: 'container',
    everySeconds: 60,
    units: 0.5,
    spread: () => 1,
    via: 'request',
  },
  {
    name: 'rate-limit window (leased blocks)',
    op: 'write',
    index: 'table',
    pattern: 'RATE#<scope>#<minute>#<shard>',
    per: 'request',
    times: 1 / 250,
    units: 1,
    spread: (s) => s.keys,
    via: 'request',
  },
  {
    name: 'key last-used stamp',
    op: 'write',
    index: 'table',
    pattern: 'APIKEY#<hash>',
    per: 'key',
    everySeconds: 60,
    units: 1,
    spread: (s) => s.keys,
    via: 'request',
  },
  {
    name: 'key last-used stamp index',
    op: 'write',
    index: 'gsi2',
    pattern: 'APIKEYS',
    per: 'key',
    everySeconds: 60,
    units: 1,
    spread: () => 1,
    via: 'request',
  },
  {
    name: 'quota definitions snapshot (one replica)',
    op: 'read',
    index: 'gsi2',
    pattern: 'QUOTAS#R#<replica>',
    per: 'container',
    everySeconds: 4,
    units: 0.5,
    spread: () => SHARDS.quotaReadReplicas,
    via: 'request',
  },
  {
    name: 'GET /api/keys',
    op: 'read',
    index: 'gsi2',
    pattern: 'APIKEYS',
    per: 'admin',
    share: 0.1,
    units: (s) => 0.5 * Math.ceil((Math.min(s.keys, 100) * 0.9) / 4),
    spread: () => 1,
    via: 'request',
  },
  {
    name: 'routing snapshot: provider items (circuits, latency)',
    op: 'read',
    index: 'table',
    pattern: 'PROVIDER#<provider>',
    per: 'container',
    everySeconds: 60,
    // Two eventually consistent reads a refresh: the latency items' query and the health state.
    units: 1,
    spread: (s) => s.providers,
    via: 'request',
  },
  {
    name: 'routing snapshot: open circuits',
    op: 'read',
    index: 'gsi1',
    pattern: 'OPEN_CIRCUITS',
    per: 'container',
    everySeconds: 60,
    units: 0.5,
    spread: () => 1,
    via: 'request',
  },
  {
    name: 'credential records of the provider',
    op: 'read',
    index: 'gsi1',
    pattern: 'PROVIDER_CREDENTIALS#<provider>',
    per: 'container',
    everySeconds: 60,
    units: 0.5,
    spread: (s) => s.providers,
    via: 'request',
  },
  // Each container shares an unchanged latency figure per provider × model once per five
  // ROUTING_CACHE_TTLs (5 × 60 s; lib/services/routing/latency.ts ROUTINE_SHARE_TTLS).
  {
    name: 'latency figure shared',
    op: 'write',
    index: 'table',
    pattern: 'PROVIDER#<provider>',
    per: 'container',
    everySeconds: 300,
    units: 1,
    spread: (s) => s.providers,
    via: 'request',
  },
  // The quota enforcer, per batch of hourly counter changes (coalesced: one per counter touched).
  // A window is summed from parts per usage shard: the shards a batch touched are re-read (every
  // dimension's rollup in that shard, ~0.64 KB each, strongly consistent) and their parts stored;
  // the other parts are read as stored (lib/services/quotas/evaluate.ts).
  {
    name: 'quota window re-read (the shards a batch touched)',
    op: 'read',
    index: 'table',
    pattern: 'USAGE#<provider>',
    per: 'batch',
    quotaScaled: true,
    perTouchedShard: true,
    units: (s) => Math.max(1, Math.ceil((s.keys * s.models * 0.64) / 4)),
    spread: (s) => usageFanout() * s.providers,
    via: 'streams/quota-enforcer',
  },
  {
    name: 'quota parts read as stored',
    op: 'read',
    index: 'table',
    pattern: 'QUOTA#<quota>#PART#<shard>',
    per: 'batch',
    quotaScaled: true,
    untouchedShards: true,
    units: 1,
    spread: () => usageFanout(),
    via: 'streams/quota-enforcer',
  },
  {
    name: 'quota part stored',
    op: 'write',
    index: 'table',
    pattern: 'QUOTA#<quota>#PART#<shard>',
    per: 'batch',
    quotaScaled: true,
    perTouchedShard: true,
    units: 1,
    spread: () => usageFanout(),
    via: 'streams/quota-enforcer',
  },
  {
    name: 'daily + monthly rollup',
    perCounter: true,
    op: 'write',
    index: 'table',
    pattern: 'USAGE#<provider>',
    per: 'batch',
    times: 2,
    units: 1,
    spread: (s) => SHARDS.usage * s.providers,
    via: 'streams/quota-enforcer',
  },
  {
    name: 'daily rollup index',
    perCounter: true,
    op: 'write',
    index: 'gsi1',
    pattern: 'USAGE_DAYS#<month>',
    per: 'batch',
    units: 1,
    spread: () => SHARDS.usageRollupIndex,
    via: 'streams/quota-enforcer',
  },
  {
    name: 'monthly rollup index',
    perCounter: true,
    op: 'write',
    index: 'gsi1',
    pattern: 'USAGE_MONTHS#<year>',
    per: 'batch',
    units: 1,
    spread: () => SHARDS.usageRollupIndex,
    via: 'streams/quota-enforcer',
  },
  {
    name: 'quota state',
    op: 'write',
    index: 'table',
    pattern: 'QUOTA#<quota>',
    per: 'batch',
    units: 1,
    spread: (s) => s.quotas,
    quotaScaled: true,
    via: 'streams/quota-enforcer',
  },
  {
    name: 'quota state index',
    op: 'write',
    index: 'gsi2',
    pattern: 'QUOTA_STATES',
    per: 'batch',
    units: 1,
    // A quota's state lands on the shard of its id: Q quotas over min(Q, shards) partitions.
    spread: (s) => Math.min(s.quotas, SHARDS.quotaStates),
    quotaScaled: true,
    via: 'streams/quota-enforcer',
  },
  {
    name: 'quota state copies (one per read replica)',
    op: 'write',
    index: 'table',
    pattern: 'QUOTA#<quota>#R#<replica>',
    per: 'batch',
    times: () => SHARDS.quotaReadReplicas,
    units: 1,
    spread: (s) => s.quotas * SHARDS.quotaReadReplicas,
    quotaScaled: true,
    via: 'streams/quota-enforcer',
  },
  {
    name: 'quota state copy index',
    op: 'write',
    index: 'gsi2',
    pattern: 'QUOTA_STATES#<shard>#R#<replica>',
    per: 'batch',
    times: () => SHARDS.quotaReadReplicas,
    units: 1,
    spread: (s) => Math.min(s.quotas, SHARDS.quotaStates) * SHARDS.quotaReadReplicas,
    quotaScaled: true,
    via: 'streams/quota-enforcer',
  },
  // Admin reads at 1 % of AI traffic, spread evenly over ten list calls (bench/partitions-run.ts).
  {
    name: 'GET /api/logs (every shard × 2 pages)',
    op: 'read',
    index: 'gsi1',
    pattern: 'LOGS#T#<team>#<day>#<shard>',
    per: 'admin',
    share: 0.1,
    times: 2,
    units: 0.5,
    spread: () => SHARDS.requestLog,
    via: 'request',
  },
  {
    name: 'GET /api/usage',
    op: 'read',
    index: 'gsi1',
    pattern: 'USAGE_DAYS#<month>',
    per: 'admin',
    share: 0.1,
    units: 0.5,
    spread: () => SHARDS.usageRollupIndex,
    via: 'request',
  },
  {
    name: 'GET /api/providers',
    op: 'read',
    index: 'gsi1',
    pattern: 'PROVIDERS',
    per: 'admin',
    share: 0.1,
    units: 0.5,
    spread: () => 1,
    via: 'request',
  },
  {
    name: 'GET /api/audit (head)',
    op: 'read',
    index: 'table',
    pattern: 'AUDIT_HEAD',
    per: 'admin',
    share: 0.1,
    units: 1,
    spread: () => 1,
    via: 'request',
  },
  {
    name: 'GET /api/quotas',
    op: 'read',
    index: 'gsi2',
    pattern: 'QUOTAS',
    per: 'admin',
    share: 0.1,
    units: 0.5,
    spread: () => 1,
    via: 'request',
  },
];

/**
 * Records per enforcer batch, batches a second, and distinct hourly counters a batch touches (the
 * enforcer coalesces records of one counter) at `rps`: one hourly counter change per request; a
 * counter per key × model × counter shard.
 */
export function batching(rps, s = DEFAULTS) {
  // Stream shards ≈ table writes a second / 1,000 (≈ 2 item writes per request); each carries a
  // share of the usage partitions, and its lane's batches touch only those.
  const streamShards = Math.max(1, Math.ceil((2 * rps) / 1000));
  const shardsPerLane = SHARDS.usage > 1 ? Math.ceil(SHARDS.usage / streamShards) : 1;
  const records = Math.min(s.batchSize, Math.max(1, rps / streamShards / s.pollsPerSecond));
  const counters = Math.min(records, s.keys * s.models * shardsPerLane);
  return {
    streamShards,
    recordsPerBatch: records,
    batchesPerSecond: rps / records,
    countersPerBatch: counters,
    touchedShards: Math.min(counters, shardsPerLane),
  };
}

/** Warm Lambda containers serving AI requests at `rps` (rate × duration). */
export const containers = (rps, s = DEFAULTS) => rps * s.durationSeconds;

/** Capacity units of one operation of `entry` (some grow with the scenario's dimensions). */
export const unitsOf = (entry, s = DEFAULTS) =>
  typeof entry.units === 'function' ? entry.units(s) : entry.units;

/** Operations a second of one model entry at `rps` (all partitions of its pattern together). */
export function opsPerSecond(entry, rps, s = DEFAULTS) {
  const times = typeof entry.times === 'function' ? entry.times(s) : (entry.times ?? 1);
  const quotas = entry.quotaScaled ? s.quotas : 1;
  switch (entry.per) {
    case 'request':
      return rps * times;
    case 'container':
      return (containers(rps, s) / entry.everySeconds) * times;
    case 'batch': {
      const b = batching(rps, s);
      const each = entry.perCounter
        ? b.countersPerBatch
        : entry.perTouchedShard
          ? b.touchedShards
          : entry.untouchedShards
            ? usageFanout() - b.touchedShards
            : 1;
      return b.batchesPerSecond * times * quotas * each;
    }
    case 'key':
      return (s.keys / entry.everySeconds) * times;
    case 'admin':
      return rps * 0.01 * (entry.share ?? 1) * times;
    default:
      throw new Error(`unknown frequency ${entry.per}`);
  }
}

/**
 * Units a second on ONE partition of each pattern (the load spread evenly over its partitions), by
 * index and pattern: `{ 'table USAGE#<provider>': { wcu, rcu, share } }`; share = the larger of wcu
 * / 1,000 and rcu / 3,000.
 */
export function modelRates(options) {
  const s = { ...DEFAULTS, ...options };
  const out = {};
  for (const entry of OPERATIONS) {
    const spread = entry.spread(s);
    if (!Number.isFinite(spread)) continue; // one partition per request: never hot
    const id = `${entry.index} ${entry.pattern}`;
    const row = out[id] ?? { wcu: 0, rcu: 0, share: 0 };
    const rate = (opsPerSecond(entry, s.rps, s) * unitsOf(entry, s)) / spread;
    if (entry.op === 'write') row.wcu += rate;
    else row.rcu += rate;
    row.share = Math.max(row.wcu / LIMITS.wcu, row.rcu / LIMITS.rcu);
    out[id] = row;
  }
  return out;
}

/** The model's hottest partition pattern at `rps`. */
export function modelHottest(options) {
  const rates = modelRates(options);
  const [key, row] = Object.entries(rates).sort((a, b) => b[1].share - a[1].share)[0];
  return { key, ...row };
}
