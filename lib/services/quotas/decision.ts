import type { Principal } from '../../auth/roles.js';
import { actsOn } from '../../auth/scope.js';
import { cached } from '../../runtime/cache.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { keys } from '../../store/keys.js';
import { windowAt } from '../usage/time.js';
import { QUOTA_CACHE_MS } from './definitions.js';
import { isQuotaItem, toQuota } from './mapper.js';
import { currentWindow, type QuotaState, quotaCovers } from './model.js';

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
}

interface Snapshot {
  quotas: Quota[];
  /** `<quota id>#<window id>` → state */
  states: Map<string, QuotaState>;
}

/** Stronger actions first: a call covered by several exceeded quotas gets the strongest. */
const PRECEDENCE: QuotaAction[] = ['block', 'fallback', 'throttle', 'notify'];

async function loadSnapshot(deps: Gateway): Promise<Snapshot> {
  const now = deps.now();
  const windows = [windowAt('day', now).id, windowAt('month', now).id];
  const [definitions, ...stateLists] = await Promise.all([
    deps.table.queryAll({ index: 'gsi2', partition: keys.quotasPartition() }),
    ...windows.map((w) =>
      deps.table.queryAll({
        index: 'gsi2',
        partition: keys.quotaStatesPartition(),
        skPrefix: keys.quotaStatesOfWindowPrefix(w),
      }),
    ),
  ]);
  const states = new Map<string, QuotaState>();
  for (const item of stateLists.flat())
    states.set(`${item.quota_id}#${item.window}`, item.state as QuotaState);
  return {
    quotas: definitions
      .filter(isQuotaItem)
      .map(toQuota)
      .filter((q) => q.is_active),
    states,
  };
}

/**
 * The request path's quota check. Reads every active quota and the current windows' states from
 * a per-container snapshot at most {@link QUOTA_CACHE_MS} (4 s) old: three gsi2 queries per
 * refresh, zero DynamoDB reads between refreshes. States are those the quota enforcer wrote, so a
 * crossing takes effect within the stream's delay plus 5 s. A state of an earlier window is
 * ignored (windows reset by time). Strict quotas are not decided here: they are returned in
 * `strict` for `reserveBudget`, which admits exactly.
 *
 * @throws ServiceUnavailableError when a refresh is due and the table throttles.
 */
export async function quotaDecision(
  deps: Gateway,
  call: {
    providerId: string;
    modelId: string;
    apiKeyId: string;
    /** The caller's scope: a quota owned by a scoped key limits only keys inside that scope. */
    caller?: Pick<Principal, 'providerIds' | 'modelIds'>;
  },
): Promise<QuotaDecision> {
  const snapshot = await cached(deps, 'quota:snapshot', QUOTA_CACHE_MS, () => loadSnapshot(deps));
  const now = deps.now();
  const decision: QuotaDecision = { action: 'allow', strict: [], softExceeded: [] };
  for (const quota of snapshot.quotas) {
    if (!quotaCovers(quota, call) || !actsOn(quota.owner_scope, call.caller)) continue;
    if (quota.enforcement === 'strict') {
      decision.strict.push(quota);
      continue;
    }
    const window = currentWindow(quota, now);
    const state = snapshot.states.get(`${quota.id}#${window.id}`) ?? 'ok';
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
  return decision;
}
