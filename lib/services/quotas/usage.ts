import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import type { Item } from '../../store/table.js';
import { readRollups } from '../usage/read.js';
import { totalOf } from '../usage/rollup.js';
import type { TimeWindow } from '../usage/time.js';
import { amountOf, metricOf, quotaCovers } from './model.js';

/** Rollup items this invocation wrote, by `pk`/`sk`: read-your-writes over eventually consistent gsi1. */
export type Overlay = Map<string, Item>;

/** The overlay key of an item. */
export const overlayKey = (item: Pick<Item, 'pk' | 'sk'>) => `${item.pk}\u0000${item.sk}`;

function dimensionsOf(item: Item) {
  return {
    providerId: String(item.provider_id),
    modelId: String(item.model_id),
    apiKeyId: String(item.api_key_id),
  };
}

/**
 * Takes, per rollup item, the newest of what was read and what this invocation wrote (rollup
 * items only grow, so the one with more requests is the newer), and adds written items the read
 * did not return yet.
 */
function merge(read: Item[], overlay: Overlay | undefined, accept: (item: Item) => boolean): Item[] {
  if (!overlay?.size) return read;
  const byKey = new Map(read.map((item) => [overlayKey(item), item]));
  for (const [key, mine] of overlay) {
    if (!accept(mine)) continue;
    const theirs = byKey.get(key);
    if (!theirs || totalOf(mine).requests > totalOf(theirs).requests) byKey.set(key, mine);
  }
  return [...byKey.values()];
}

/**
 * What a quota has used in a window, in counting units (nano-USD, tokens or requests): the sum of
 * the daily rollups (daily quotas) or monthly rollups (monthly quotas) of the dimensions the quota
 * covers. Exact: derived from the rollups every time, so it never drifts from them.
 */
export async function usedInWindow(
  deps: Gateway,
  input: { quota: Quota; window: TimeWindow; overlay?: Overlay | undefined },
): Promise<number> {
  const period = input.window.kind === 'day' ? 'D' : 'M';
  const read = await readRollups(deps, {
    period,
    from: input.window.id,
    to: input.window.id,
    providerId: input.quota.provider_id ?? undefined,
  });
  const accept = (item: Item) =>
    String(item.sk).startsWith(period) &&
    item.bucket === input.window.id &&
    quotaCovers(input.quota, dimensionsOf(item));
  const metric = metricOf(input.quota.quota_type);
  return merge(read, input.overlay, accept)
    .filter(accept)
    .reduce((sum, item) => sum + amountOf(totalOf(item), metric), 0);
}
