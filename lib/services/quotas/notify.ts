import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { type ItemKey, keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { metricOf, type QuotaState, toPublic, unitOf } from './model.js';
import type { QuotaWindow } from './windows.js';

/** The event type of a quota window changing state. */
export const QUOTA_EVENT = 'quota.state_changed';

/**
 * What every quota event says about the quota and its window (from the state item as stored):
 * the quota's identity and scope, the window and when it resets, and the figures in public units.
 */
export function quotaEventDetail(input: { quota: Quota; window: QuotaWindow; item: Item }) {
  const { quota, item } = input;
  const metric = metricOf(quota.quota_type);
  return {
    quota_id: quota.id,
    quota_type: quota.quota_type,
    scope: quota.scope,
    provider_id: quota.provider_id,
    model_id: quota.model_id,
    api_key_id: quota.api_key_id,
    team_id: quota.team_id,
    action_on_exceed: quota.action_on_exceed,
    window: input.window.id,
    time_zone: quota.time_zone,
    unit: unitOf(metric),
    used: toPublic(metric, Number(item.used)),
    limit: toPublic(metric, Number(item.limit_units)),
    percent: Number(item.percent),
    resets_at: item.resets_at,
  };
}

/**
 * Moves `notified_state` from `from` to `to` if nobody else did: the one writer that succeeds is
 * the one that announces the crossing (concurrent enforcers and replays lose the race).
 */
async function swapNotified(
  deps: Gateway,
  input: { key: ItemKey; from: string | undefined; to: string | undefined; state?: string },
): Promise<boolean> {
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = { '#n': 'notified_state' };
  let condition = input.from === undefined ? 'attribute_not_exists(#n)' : '#n = :from';
  if (input.from !== undefined) values[':from'] = input.from;
  if (input.state !== undefined) {
    names['#s'] = 'state';
    values[':state'] = input.state;
    condition = `#s = :state AND ${condition}`;
  }
  const outcome = await deps.table.update({
    key: input.key,
    set: { last_actor: 'quota-enforcer', ...(input.to !== undefined ? { notified_state: input.to } : {}) },
    ...(input.to === undefined ? { remove: ['notified_state'] } : {}),
    condition: `attribute_exists(pk) AND ${condition}`,
    names,
    values,
  });
  return outcome.applied;
}

/**
 * Announces a window's state change once: when the stored `state` differs from the last one
 * announced (`notified_state`, `ok` when absent), it claims the announcement with a conditional
 * write and publishes `quota.state_changed`. If the bus refuses, the claim is released and the
 * error rethrown, so the stream retry announces it. A crash between claim and publish loses that
 * one event (the state item still records the change).
 */
export async function notifyCrossing(
  deps: Gateway,
  input: { quota: Quota; window: QuotaWindow; item: Item },
) {
  const { item, quota } = input;
  const state = item.state as QuotaState;
  const announced = typeof item.notified_state === 'string' ? item.notified_state : undefined;
  if (state === (announced ?? 'ok')) return;
  const key = keys.quotaState(quota.id, input.window.id);
  if (!(await swapNotified(deps, { key, from: announced, to: state, state }))) return;
  try {
    await deps.events.publish([
      {
        type: QUOTA_EVENT,
        at: new Date(deps.now()).toISOString(),
        resources: [quota.id],
        detail: { ...quotaEventDetail(input), previous_state: announced ?? 'ok', state },
      },
    ]);
  } catch (error) {
    await swapNotified(deps, { key, from: state, to: announced });
    throw error;
  }
}
