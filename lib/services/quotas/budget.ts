import { randomBytes } from 'node:crypto';
import { TooManyRequestsError } from '../../errors.js';
import { logger } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Quota } from '../../schemas/quotas.js';
import { type ItemKey, keys } from '../../store/keys.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { MS } from '../usage/time.js';
import { currentWindow, limitUnits, type Metric, metricOf } from './model.js';

/** What one call may use or used, in every unit a quota can count; each quota takes its own. */
export interface BudgetAmount {
  /** Cost in integer nano-USD (cost quotas). */
  costNanos?: number;
  /** Input + output tokens (token quotas). */
  tokens?: number;
  /** Requests (request quotas); 1 when absent. */
  requests?: number;
}

/** A hold on a strict quota's window, released by {@link settleBudget}. */
export interface Reservation {
  id: string;
  quotaId: string;
  /** The window id (`2026-11-26`, `2026-W48`, …, in the quota's time zone) the hold was taken in. */
  window: string;
  /** What the quota counts; `amount` is in its unit (nano-USD, tokens or requests). */
  metric: Metric;
  amount: number;
  /** When an unsettled hold is considered abandoned and may be released (epoch ms). */
  expiresAt: number;
  /** What the window had left once this hold was taken (this call counted at its maximum), in the metric's unit. */
  remaining: number;
  /** When the window ends (epoch ms): its `resets_at`. */
  windowEndMs: number;
}

/** Longest a hold lasts unsettled: longer than any Lambda invocation (15 min). */
export const RESERVATION_HOLD_MS = 16 * 60_000;
const BUDGET_RETENTION_DAYS = 35;

/** The amount a metric counts of a {@link BudgetAmount}. @throws RangeError when it is missing. */
export function amountFor(metric: Metric, amount: BudgetAmount): number {
  const value =
    metric === 'cost' ? amount.costNanos : metric === 'tokens' ? amount.tokens : (amount.requests ?? 1);
  if (value === undefined || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`a ${metric} quota needs a non-negative integer ${metric} amount`);
  }
  return value;
}

/**
 * Adds `amount` to committed and reserved unless that would pass the limit (one conditional ADD).
 * Returns the committed total after the hold, or undefined when it would pass the limit.
 */
async function hold(
  deps: Gateway,
  input: Omit<Reservation, 'remaining'> & { key: ItemKey; limit: number },
): Promise<number | undefined> {
  const outcome = await deps.table.update({
    key: input.key,
    add: { committed: input.amount, reserved: input.amount },
    set: {
      [keys.quotaReservationAttribute(input.id)]: { amount: input.amount, expires_at: input.expiresAt },
      entity: 'quota_budget',
      quota_id: input.quotaId,
      window: input.window,
      limit_units: input.limit,
      [TABLE_SCHEMA.ttlAttribute]:
        Math.floor(input.windowEndMs / 1000) + BUDGET_RETENTION_DAYS * (MS.DAY / 1000),
    },
    // DynamoDB conditions have no arithmetic: `committed + :amt <= limit` is `committed <= :max`.
    condition: 'attribute_not_exists(committed) OR committed <= :max',
    values: { ':max': input.limit - input.amount },
    returnValues: 'UPDATED_NEW',
  });
  return outcome.applied ? Number(outcome.item?.committed ?? input.amount) : undefined;
}

/** Releases holds whose time ran out (a crashed caller never settled them). Returns how many. */
async function releaseExpired(deps: Gateway, key: ItemKey): Promise<number> {
  const item = await deps.table.get(key);
  if (!item) return 0;
  const now = deps.now();
  let released = 0;
  for (const [name, value] of Object.entries(item)) {
    const hold = value as { amount?: number; expires_at?: number };
    if (!name.startsWith('r_') || typeof hold?.expires_at !== 'number' || hold.expires_at > now) continue;
    if (await release(deps, { key, attribute: name, amount: Number(hold.amount), used: 0 })) released++;
  }
  if (released) logger.warn('released abandoned quota reservations', { budget: key.sk, released });
  return released;
}

/** Removes one hold exactly once, moving `used` into the settled figure. */
async function release(
  deps: Gateway,
  input: { key: ItemKey; attribute: string; amount: number; used: number },
) {
  const outcome = await deps.table.update({
    key: input.key,
    add: { committed: input.used - input.amount, reserved: -input.amount, used: input.used },
    remove: [input.attribute],
    condition: 'attribute_exists(#r)',
    names: { '#r': input.attribute },
  });
  return outcome.applied;
}

/**
 * Strict budgets, before the upstream call: holds the call's maximum (cost from max_tokens and the
 * price, tokens, or one request) on the quota's current window with ONE conditional `ADD`
 * (`committed <= limit − amount`). DynamoDB serialises writes to the item, so N concurrent calls
 * against a remaining allowance worth k calls admit exactly k, and committed never passes the limit.
 *
 * @throws TooManyRequestsError 429 `quota_exceeded` (Retry-After: the window's reset) when the
 *   hold does not fit, after releasing abandoned holds once; ServiceUnavailableError on throttling.
 */
export async function reserveBudget(
  deps: Gateway,
  input: { quota: Quota; amount: BudgetAmount },
): Promise<Reservation> {
  const { quota } = input;
  const now = deps.now();
  const window = await currentWindow(quota, now);
  const metric = metricOf(quota.quota_type);
  const amount = amountFor(metric, input.amount);
  const limit = limitUnits(quota);
  const key = keys.quotaBudget(quota.id, window.id);
  const taken = {
    id: randomBytes(8).toString('hex'),
    quotaId: quota.id,
    window: window.id,
    metric,
    amount,
    expiresAt: now + RESERVATION_HOLD_MS,
    windowEndMs: window.endMs,
  };
  for (let attempt = 0; amount <= limit && attempt < 2; attempt++) {
    const committed = await hold(deps, { ...taken, key, limit });
    if (committed !== undefined) return { ...taken, remaining: Math.max(0, limit - committed) };
    if (attempt > 0 || (await releaseExpired(deps, key)) === 0) break;
  }
  throw new TooManyRequestsError(`The quota ${quota.id} has no budget left for this request.`, {
    code: 'quota_exceeded',
    retryAfterSeconds: Math.max(1, Math.ceil((window.endMs - now) / 1000)),
    details: {
      quota_id: quota.id,
      quota_type: quota.quota_type,
      scope: quota.scope,
      window: window.id,
      resets_at: new Date(window.endMs).toISOString(),
      action_on_exceed: quota.action_on_exceed,
    },
  });
}

/**
 * Strict budgets, after the upstream call: releases the hold and counts what the call really used
 * (`committed += actual − held`), exactly once per reservation (a second settle is a no-op and
 * returns false, as is a settle after the hold expired). A failed call settles with 0.
 *
 * @throws ServiceUnavailableError on throttling (the hold then expires after its time).
 */
export async function settleBudget(
  deps: Gateway,
  reservation: Reservation,
  actual: BudgetAmount,
): Promise<boolean> {
  const used = amountFor(reservation.metric, actual);
  return release(deps, {
    key: keys.quotaBudget(reservation.quotaId, reservation.window),
    attribute: keys.quotaReservationAttribute(reservation.id),
    amount: reservation.amount,
    used,
  });
}
