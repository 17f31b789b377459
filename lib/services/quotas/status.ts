import type { Principal } from '../../auth/roles.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { QuotaStatus } from '../../schemas/quotas.js';
import { keys } from '../../store/keys.js';
import { nanosToUsd } from '../usage/units.js';
import { toQuota } from './mapper.js';
import {
  amountOf,
  currentWindow,
  limitUnits,
  metricOf,
  percentOf,
  stateOf,
  toPublic,
  unitOf,
} from './model.js';
import { loadQuotaItem } from './service.js';
import { countedInWindow } from './usage.js';

/**
 * A quota's current window, computed live from the rollups (not from the enforcer's last state, so
 * it is never behind it): used, limit, what remains, the cost of the counted usage (`spent_usd`),
 * percent, state, and the window's start and end (`resets_at`) in the quota's time zone. For a
 * strict quota the settled and held budget is counted too (`used` is the larger of rollups and
 * settled budget; `reserved` is held by calls in flight).
 */
export async function quotaStatus(
  deps: Gateway,
  input: { id: string; principal: Principal },
): Promise<QuotaStatus> {
  const quota = toQuota(await loadQuotaItem(deps, input.id, input.principal));
  const window = await currentWindow(quota, deps.now());
  const metric = metricOf(quota.quota_type);
  const counted = await countedInWindow(deps, { quota, window });
  let used = amountOf(counted, metric);
  let spentNanos = counted.cost_nanos;
  let reserved: number | undefined;
  if (quota.enforcement === 'strict') {
    const budget = await deps.table.get(keys.quotaBudget(quota.id, window.id));
    used = Math.max(used, Number(budget?.used ?? 0));
    if (metric === 'cost') spentNanos = used;
    reserved = Number(budget?.reserved ?? 0);
  }
  const limit = limitUnits(quota);
  return {
    quota_id: quota.id,
    quota_type: quota.quota_type,
    window: window.id,
    time_zone: quota.time_zone,
    window_start: new Date(window.startMs).toISOString(),
    unit: unitOf(metric),
    used: toPublic(metric, used),
    limit: toPublic(metric, limit),
    remaining: toPublic(metric, Math.max(0, limit - used)),
    spent_usd: nanosToUsd(spentNanos),
    percent: percentOf(used, limit),
    state: stateOf(used, limit, quota.soft_limit_percent),
    resets_at: new Date(window.endMs).toISOString(),
    ...(reserved === undefined ? {} : { reserved: toPublic(metric, reserved) }),
  };
}
