import type { Quota, QuotaType } from '../../schemas/quotas.js';
import { keys } from '../../store/keys.js';
import type { Counters } from '../usage/counters.js';
import { nanosToUsd, usdToNanos } from '../usage/units.js';
import { type QuotaWindow, quotaWindowAt } from './windows.js';

/** The state of a quota window. */
export type QuotaState = 'ok' | 'soft_exceeded' | 'exceeded';
/** What a quota counts: cost (nano-USD inside), tokens or requests. */
export type Metric = 'cost' | 'tokens' | 'requests';

/** What a quota type counts. */
export function metricOf(type: QuotaType): Metric {
  if (type.endsWith('_cost')) return 'cost';
  return type.endsWith('_tokens') ? 'tokens' : 'requests';
}

/** The public unit of a metric (`usd` for cost: exact nano-USD inside). */
export function unitOf(metric: Metric): 'usd' | 'tokens' | 'requests' {
  return metric === 'cost' ? 'usd' : metric;
}

/** The limit in counting units: nano-USD for cost, tokens or requests otherwise. */
export function limitUnits(quota: Pick<Quota, 'quota_type' | 'limit_value'>): number {
  return metricOf(quota.quota_type) === 'cost' ? usdToNanos(quota.limit_value) : quota.limit_value;
}

/**
 * The counted amount of some usage: cost in nano-USD, tokens as input + output (cached input
 * tokens are part of the input), or requests (errors included: a failed call is still a call).
 */
export function amountOf(counters: Counters, metric: Metric): number {
  if (metric === 'cost') return counters.cost_nanos;
  if (metric === 'tokens') return counters.input_tokens + counters.output_tokens;
  return counters.requests;
}

/** Counting units as public figures (USD for cost). */
export function toPublic(metric: Metric, units: number): number {
  return metric === 'cost' ? nanosToUsd(units) : units;
}

/**
 * The state of a window: `exceeded` once used reaches the limit, `soft_exceeded` once it reaches
 * `soft_limit_percent` of it. Compared in integers (no floating point at the thresholds).
 */
export function stateOf(used: number, limit: number, softPercent: number): QuotaState {
  if (used >= limit) return 'exceeded';
  return used * 100 >= limit * softPercent ? 'soft_exceeded' : 'ok';
}

/** Percent used, two decimals. */
export function percentOf(used: number, limit: number): number {
  return limit > 0 ? Math.round((used / limit) * 10_000) / 100 : 0;
}

/** The quota's current window at an instant (its kind, in its time zone). */
export function currentWindow(
  quota: Pick<Quota, 'quota_type'> & { time_zone?: string },
  nowMs: number,
): Promise<QuotaWindow> {
  return quotaWindowAt(quota, nowMs);
}

/** The scope key a quota watches (gsi1 `QUOTA_SCOPE#…`). */
export function scopeKeyOf(
  quota: Pick<Quota, 'scope' | 'provider_id' | 'model_id' | 'api_key_id'> & { team_id?: string | null },
): string {
  return keys.quotaScopeKey({
    scope: quota.scope,
    ...(quota.provider_id ? { providerId: quota.provider_id } : {}),
    ...(quota.model_id ? { modelId: quota.model_id } : {}),
    ...(quota.api_key_id ? { apiKeyId: quota.api_key_id } : {}),
    ...(quota.team_id ? { teamId: quota.team_id } : {}),
  });
}

/** The dimensions of one call or counter (`teamId`: the calling key's team, if it has one). */
export interface UsageDimensions {
  providerId: string;
  modelId: string;
  apiKeyId: string;
  teamId?: string | undefined;
}

/** Every scope key whose quotas a call with these dimensions counts towards. */
export function scopesOf(d: UsageDimensions): string[] {
  return [
    keys.quotaScopeKey({ scope: 'global' }),
    keys.quotaScopeKey({ scope: 'provider', providerId: d.providerId }),
    keys.quotaScopeKey({ scope: 'model', providerId: d.providerId, modelId: d.modelId }),
    keys.quotaScopeKey({ scope: 'api_key', apiKeyId: d.apiKeyId }),
    keys.quotaScopeKey({ scope: 'api_key', apiKeyId: d.apiKeyId, providerId: d.providerId }),
    ...(d.teamId ? [keys.quotaScopeKey({ scope: 'team', teamId: d.teamId })] : []),
  ];
}

/** Whether a call with these dimensions counts towards a quota. */
export function quotaCovers(
  quota: Pick<Quota, 'provider_id' | 'model_id' | 'api_key_id'> & { team_id?: string | null },
  d: UsageDimensions,
): boolean {
  if (quota.provider_id && quota.provider_id !== d.providerId) return false;
  if (quota.model_id && quota.model_id !== d.modelId) return false;
  if (quota.api_key_id && quota.api_key_id !== d.apiKeyId) return false;
  if (quota.team_id && quota.team_id !== d.teamId) return false;
  return true;
}
