import type { Gateway } from '../../../runtime/gateway.js';
import type { Model } from '../../../schemas/models.js';
import type { Provider } from '../../../schemas/providers.js';
import type { Rule } from '../../../schemas/routing.js';
import type { Snapshot } from '../state.js';

/** A target that passed every filter (active, circuit, quota, scope, capabilities). */
export interface Eligible {
  provider: Provider;
  /** The catalog entry of the model sent upstream. */
  model: Model;
  /** The model id sent upstream. */
  modelId: string;
  /** The rule's weight for this target (1 without a rule). */
  weight: number;
}

/** What a strategy may use besides the targets. */
export interface StrategyContext {
  deps: Gateway;
  snapshot: Snapshot;
  /** The matched rule; `null` when the catalog default applies. */
  rule: Rule | null;
  /** Uniform in [0, 1); injectable so tests are deterministic. */
  random: () => number;
  /** Epoch milliseconds of the request. */
  now: number;
}

/**
 * A strategy orders eligible targets: the first is tried first, the rest are the failover order.
 * Strategies never drop a target (filters did that) and never touch the table.
 */
export type Strategy = (targets: readonly Eligible[], ctx: StrategyContext) => Promise<Eligible[]>;
