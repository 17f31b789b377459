import { randomUUID } from 'node:crypto';
import { describeError, logger, MetricUnit, metrics } from '../../observability.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { DurableRecord } from '../durable/log.js';
import { type BudgetAmount, type Reservation, settleBudget } from '../quotas/index.js';
import { stageUsage, type UsageEvent } from '../usage/record.js';

/** A call's books, opened: its usage and settlement are durable; `close` writes them. */
export interface OpenBooks {
  costNanos: number;
  /** Writes the counters and settles the strict holds (parking what fails); never throws. */
  close(): Promise<void>;
}

/** The durable record of a strict-quota settlement: replayed with {@link settleRecorded}. */
export interface SettlementBody extends Record<string, unknown> {
  reservations: Reservation[];
  actual: BudgetAmount;
  /** Settle each hold at the amount it held (a stream whose usage is unknown), not at `actual`. */
  atHold?: boolean;
}

/**
 * Settles holds as a settlement record says. Idempotent: each hold is removed once (a second
 * settle of the same hold is a no-op), so a replay after a kill or from the park queue counts once.
 *
 * @returns the holds whose settle failed (after the table client's retries).
 */
export async function settleRecorded(deps: Gateway, body: SettlementBody): Promise<Reservation[]> {
  const failed: Reservation[] = [];
  await Promise.all(
    body.reservations.map((r) =>
      settleBudget(
        deps,
        r,
        body.atHold ? { costNanos: r.amount, tokens: r.amount, requests: r.amount } : body.actual,
      ).catch((error: unknown) => {
        logger.error('quota reservation not settled', { quota_id: r.quotaId, error: describeError(error) });
        failed.push(r);
      }),
    ),
  );
  return failed;
}

/**
 * Opens a finished call's books: counts its usage and, with its strict-quota settlement, makes both
 * durable in one write of the durable log (locally: journaled before this resolves, so before
 * the caller sends the answer's last byte; in AWS nothing to wait for). `close` then writes
 * the counter (group-committed) and settles the holds; a write that fails after its retries is
 * parked for replay, never only logged.
 *
 * @throws RangeError for a malformed event; the journal's write error locally (the caller logs it:
 *   its answer is decided).
 */
export async function openBooks(
  deps: Gateway,
  input: {
    event: UsageEvent;
    reservations: Reservation[];
    /** Settle the holds at what they held: the call's usage is unknown (see {@link SettlementBody}). */
    atHold?: boolean;
    tokens: number;
    providerType: string;
  },
): Promise<OpenBooks> {
  let settlement: DurableRecord | undefined;
  const staged = await stageUsage(deps, input.event, (costNanos) => {
    if (input.reservations.length === 0) return [];
    const body: SettlementBody = {
      reservations: input.reservations,
      actual: { costNanos, tokens: input.tokens, requests: 1 },
      ...(input.atHold ? { atHold: true } : {}),
    };
    settlement = { kind: 'quota.settle', id: `s.${randomUUID()}`, body };
    return [settlement];
  });
  return {
    costNanos: staged.costNanos,
    async close() {
      try {
        await staged.written;
        if (settlement) {
          const failed = await settleRecorded(deps, settlement.body as SettlementBody);
          if (failed.length === 0) deps.durable.ack([settlement.id]);
          else
            await deps.durable.park(
              { ...settlement, body: { ...settlement.body, reservations: failed } },
              'settle failed',
            );
        }
        metrics.addDimensions({ provider: input.providerType, model: input.event.modelId });
        metrics.addMetric('tokens', MetricUnit.Count, input.tokens);
        metrics.addMetric('cost_usd', MetricUnit.NoUnit, staged.costNanos / 1e9);
        metrics.publishStoredMetrics();
      } catch (error) {
        logger.error('usage not recorded', { error: describeError(error) });
      }
    },
  };
}
