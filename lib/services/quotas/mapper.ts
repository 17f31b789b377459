import { readOwnerScope } from '../../auth/scope.js';
import type { Quota } from '../../schemas/quotas.js';
import type { Item } from '../../store/table.js';

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

/** The public view of a stored quota. */
export function toQuota(item: Record<string, unknown>): Quota {
  return {
    id: String(item.id),
    provider_id: text(item.provider_id),
    quota_type: item.quota_type as Quota['quota_type'],
    limit_value: Number(item.limit_value),
    soft_limit_percent: Number(item.soft_limit_percent),
    action_on_exceed: item.action_on_exceed as Quota['action_on_exceed'],
    scope: item.scope as Quota['scope'],
    model_id: text(item.model_id),
    api_key_id: text(item.api_key_id),
    enforcement: item.enforcement as Quota['enforcement'],
    is_active: item.is_active !== false,
    team_id: text(item.team_id),
    time_zone: text(item.time_zone) ?? 'UTC',
    thresholds_percent: Array.isArray(item.thresholds_percent)
      ? item.thresholds_percent.filter((t): t is number => typeof t === 'number')
      : [],
    owner_scope: readOwnerScope(item.owner_scope),
    version: Number(item.version),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}

/** Whether a stored item is a quota definition (and not a state or budget of one). */
export const isQuotaItem = (item: Item) => item.entity === 'quota';
