import { randomInt } from 'node:crypto';
import type { Principal } from '../../auth/roles.js';
import { actsOn } from '../../auth/scope.js';
import { cached } from '../../runtime/cache.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { keys, QUOTA_READ_REPLICAS } from '../../store/keys.js';
import { QUOTA_CACHE_MS } from './definitions.js';
import { isQuotaItem, toQuota } from './mapper.js';
import { currentWindow, limitUnits, metricOf, type QuotaState, quotaCovers } from './model.js';
import { type BudgetView, tightest } from './remaining.js';
import { isReplicaMarker } from './replicas.js';
import type { QuotaWindow } from './windows.js';

/** What the request path does about a call (see {@link QuotaDecision}). */
export type QuotaAction = 'allow' | 'block' | 'throttle' | 'fallback' | 'notify';

/** What the request path should do about quotas for one call. */
export interface QuotaDecision {
  /**
   * `block` → answer 429 `quota_exceeded` (with `retryAfterSeconds`); `throttle` → serve at a
   * reduced rate; `fallback` → route to another provider; `notify` → serve (the crossing was
   * announced); `allow` → serve.
   */
  action: QuotaAction;
  /** The exceeded quota that decided the action. */
  quotaId?: string;
  /** Seconds until the deciding quota's window resets (block and throttle). */
  retryAfterSeconds?: number;
  /** Strict quotas covering the call: reserve each with `reserveBudget` before calling upstream. */
  strict: Quota[];
  /** Async quotas past their soft limit (the call is served). */
  softExceeded: string[];
  /** The tightest async cost quota covering the call, as its last evaluated state says (headers). */
  budget?: BudgetView;
}

/** A window's state as the enforcer last wrote it. */
interface StateFigures {
  state: QuotaState;
  used: number;
}

interface Snapshot {
  quotas: Quota[];
  /** `<quota id>#<window id>` → state */
  states: Map<string, StateFigures>;
  /** quota id → its window as last computed (reused while it lasts). */
  windows: Map<string, QuotaWindow>;
}

/** Stronger actions first: a call covered by several exceeded quotas gets the strongest. */
const PRECEDENCE: QuotaAction[] = ['block', 'fallback', 'throttle', 'notify'];

/** The quota's window at `now`: the one the snapshot holds while it lasts, else computed anew. */
async function windowOf(snapshot: Snapshot, quota: Quota, now: number): Promise<QuotaWindow> {
  const known = snapshot.windows.get(quota.id);
  if (known && known.startMs <= now && now < known.endMs) return known;
  const window = await currentWindow(quota, now);
  snapshot.windows.set(quota.id, window);
  return window;
}

/**
 * The quota list and the current windows' states from one read replica chosen at random (each
 * replica's partitions see 1/{@link QUOTA_READ_REPLICAS} of the refreshes), or from the primary
 * partitions while that replica is not yet marked complete (before its first reconciliation).
 */
async function loadSnapshot(deps: Gateway): Promise<Snapshot> {
  const now = deps.now();
  const replica = randomInt(QUOTA_READ_REPLICAS);
  const copies = await deps.table.queryAll({
    index: 'gsi2',
    partition: keys.quotaReplicasPartition(replica),
  });
  const complete = copies.some(isReplicaMarker);
  const definitions = complete
    ? copies
    : await deps.table.queryAll({ index: 'gsi2', partition: keys.quotasPartition() });
  const snapshot: Snapshot = {
    quotas: definitions
      .filter(isQuotaItem)
      .map(toQuota)
      .filter((q) => q.is_active),
    states: new Map(),
    windows: new Map(),
  };
  // The states of every async quota's current window: one query per distinct window id.
  const ids = new Set<string>();
  for (const quota of snapshot.quotas) {
    if (quota.enforcement !== 'strict') ids.add((await windowOf(snapshot, quota, now)).id);
  }
  // Every shard of the states' partition: the replica's, or the primary ones (and the unsharded one
  // of earlier versions, which holds a state until its quota is next evaluated).
  const partitions = complete ? keys.quotaStateReplicaPartitions(replica) : keys.quotaStatesPartitions();
  const stateLists = await Promise.all(
    [...ids].flatMap((w) =>
      partitions.map((partition) =>
        deps.table.queryAll({ index: 'gsi2', partition, skPrefix: keys.quotaStatesOfWindowPrefix(w) }),
      ),
    ),
  );
  for (const item of stateLists.flat()) {
    snapshot.states.set(`${item.quota_id}#${item.window}`, {
      state: item.state as QuotaState,
      used: Number(item.used ?? 0),
    });
  }
  return snapshot;
}

/**
 * The request path's quota check. Reads every active quota and the current windows' states from
 * a per-container snapshot at most {@link QUOTA_CACHE_MS} (4 s) old, from one read replica: one gsi2
 * query for the quotas and 16 per distinct current window (every shard of the replica's states) per
 * refresh, zero DynamoDB reads between refreshes.
 * States are those the quota enforcer wrote, so a crossing takes effect within the stream's delay
 * plus 5 s. A state of an earlier window is ignored (windows reset by time, in each quota's time
 * zone). Strict quotas are not decided here: they are returned in `strict` for `reserveBudget`,
 * which admits exactly.
 *
 * @throws ServiceUnavailableError when a refresh is due and the table throttles.
 */
export async function quotaDecision(
  deps: Gateway,
  call: {
    providerId: string;
    modelId: string;
    apiKeyId: string;
    /** The caller's team: team quotas count only its keys. */
    teamId?: string | undefined;
    /** The caller's scope: a quota owned by a scoped key limits only keys inside that scope. */
    caller?: Pick<Principal, 'providerIds' | 'modelIds' | 'teamId'>;
  },
): Promise<QuotaDecision> {
  const snapshot = await cached(deps, 'quota:snapshot', QUOTA_CACHE_MS, () => loadSnapshot(deps));
  const now = deps.now();
  const decision: QuotaDecision = { action: 'allow', strict: [], softExceeded: [] };
  const views: BudgetView[] = [];
  for (const quota of snapshot.quotas) {
    if (!quotaCovers(quota, call) || !actsOn(quota.owner_scope, call.caller)) continue;
    if (quota.enforcement === 'strict') {
      decision.strict.push(quota);
      continue;
    }
    const window = await windowOf(snapshot, quota, now);
    const figures = snapshot.states.get(`${quota.id}#${window.id}`);
    const state = figures?.state ?? 'ok';
    if (metricOf(quota.quota_type) === 'cost') {
      const remainingNanos = Math.max(0, limitUnits(quota) - (figures?.used ?? 0));
      views.push({ quotaId: quota.id, remainingNanos, resetsAtMs: window.endMs });
    }
    if (state === 'soft_exceeded') decision.softExceeded.push(quota.id);
    if (state !== 'exceeded') continue;
    const current = PRECEDENCE.indexOf(decision.action);
    const candidate = PRECEDENCE.indexOf(quota.action_on_exceed);
    if (decision.action === 'allow' || candidate < current) {
      decision.action = quota.action_on_exceed;
      decision.quotaId = quota.id;
      decision.retryAfterSeconds = Math.max(1, Math.ceil((window.endMs - now) / 1000));
    }
  }
  if (decision.action === 'notify' || decision.action === 'fallback') delete decision.retryAfterSeconds;
  const budget = tightest(views);
  if (budget) decision.budget = budget;
  return decision;
}
