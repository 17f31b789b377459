import { randomBytes } from 'node:crypto';
import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { type ItemKey, keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { quotaEventDetail } from './notify.js';
import type { QuotaWindow } from './windows.js';

/** The event type of a quota window reaching one of its `thresholds_percent`. */
export const THRESHOLD_EVENT = 'quota.threshold_crossed';

/** The state item's attribute that claims the announcement of one threshold, e.g. `th_80`. */
const claimAttribute = (threshold: number) => `th_${threshold}`;

/** Claims a threshold's announcement with a token: only the writer that sets it first publishes. */
async function claim(deps: Gateway, key: ItemKey, threshold: number, token: string): Promise<boolean> {
  const outcome = await deps.table.update({
    key,
    set: { [claimAttribute(threshold)]: token },
    condition: 'attribute_exists(pk) AND attribute_not_exists(#t)',
    names: { '#t': claimAttribute(threshold) },
  });
  return outcome.applied;
}

/** Gives a claim back (the bus refused the event), only if it is still this writer's. */
async function release(deps: Gateway, key: ItemKey, threshold: number, token: string): Promise<void> {
  await deps.table.update({
    key,
    remove: [claimAttribute(threshold)],
    condition: '#t = :token',
    names: { '#t': claimAttribute(threshold) },
    values: { ':token': token },
  });
}

/**
 * Announces each threshold of `thresholds_percent` the window's stored usage has reached
 * (`used × 100 ≥ limit × threshold`, in integers) once per window: a conditional write claims it
 * on the window's state item (`th_<percent>`), and only the writer whose claim applies publishes
 * `quota.threshold_crossed`. Racing enforcers, replays and re-evaluations after a PATCH therefore
 * announce each crossing exactly once. If the bus refuses, the claim is released and the error
 * rethrown (the stream retry announces it); a crash between claim and publish loses that event.
 */
export async function notifyThresholds(
  deps: Gateway,
  input: { quota: Quota; window: QuotaWindow; item: Item },
): Promise<void> {
  const { quota, item } = input;
  const used = Number(item.used);
  const limit = Number(item.limit_units);
  const reached = quota.thresholds_percent.filter(
    (t) => used * 100 >= limit * t && item[claimAttribute(t)] === undefined,
  );
  if (reached.length === 0) return;
  const key = keys.quotaState(quota.id, input.window.id);
  for (const threshold of reached) {
    const token = randomBytes(8).toString('hex');
    if (!(await claim(deps, key, threshold, token))) continue;
    try {
      await deps.events.publish([
        {
          type: THRESHOLD_EVENT,
          at: new Date(deps.now()).toISOString(),
          resources: [quota.id],
          detail: { ...quotaEventDetail(input), threshold_percent: threshold },
        },
      ]);
    } catch (error) {
      await release(deps, key, threshold, token);
      throw error;
    }
  }
}
