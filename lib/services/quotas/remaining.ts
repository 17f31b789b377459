import type { Reservation } from './budget.js';

/**
 * What a cost quota that applies to a call has left, for the `x-gateway-budget-*` headers: USD in
 * nano-USD inside, and when its window resets.
 */
export interface BudgetView {
  quotaId: string;
  remainingNanos: number;
  resetsAtMs: number;
}

/** The tightest of several views: the least remaining, the earliest reset on a tie. */
export function tightest(views: ReadonlyArray<BudgetView | undefined>): BudgetView | undefined {
  let best: BudgetView | undefined;
  for (const view of views) {
    if (!view) continue;
    if (
      !best ||
      view.remainingNanos < best.remainingNanos ||
      (view.remainingNanos === best.remainingNanos && view.resetsAtMs < best.resetsAtMs)
    ) {
      best = view;
    }
  }
  return best;
}

/** The views of strict cost holds: what each window had left once the call's maximum was held. */
export function viewsOfReservations(reservations: readonly Reservation[]): BudgetView[] {
  return reservations
    .filter((r) => r.metric === 'cost')
    .map((r) => ({ quotaId: r.quotaId, remainingNanos: r.remaining, resetsAtMs: r.windowEndMs }));
}
