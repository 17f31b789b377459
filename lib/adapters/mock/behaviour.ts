/**
 * The mock provider's knobs, from provider metadata, and its two effects: latency and failures.
 * Failures are deterministic: with `failure_rate` r, exactly ⌊n·r⌋ of the first n calls of a provider
 * fail (per container), so tests and demos see the same sequence every time.
 *
 * Metadata: `latency_ms` (0–60000, default 0), `failure_rate` (0–1, default 0), `failure_status`
 * (429, 500 or 503; default 503), `usage_input_tokens` / `usage_output_tokens` (defaults 10 / 20),
 * `embedding_dimensions` (default 8).
 */
import { stateSlot } from '../../state-slots.js';
import { armBudget } from '../../upstream/budget.js';
import { UpstreamError, type UpstreamErrorType } from '../../upstream/errors.js';
import { normalizeTransportError } from '../../upstream/transport-errors.js';
import type { AdapterDeps, CallContext } from '../contract.js';
import { metadataNumber } from '../credentials.js';

/** Provider name used in the mock's errors. */
export const MOCK = 'mock';

/** The mock's knobs, bounded and defaulted (see the module comment). */
export interface MockBehaviour {
  latencyMs: number;
  failureRate: number;
  failureStatus: 429 | 500 | 503;
  inputTokens: number;
  outputTokens: number;
  dimensions: number;
}

function bounded(value: number | undefined, min: number, max: number, fallback: number): number {
  return value === undefined ? fallback : Math.min(max, Math.max(min, value));
}

/** Reads the knobs from provider metadata; out-of-range values are clamped, unknown ones ignored. */
export function mockBehaviour(metadata: Record<string, unknown>): MockBehaviour {
  const status = metadataNumber(metadata, 'failure_status');
  return {
    latencyMs: bounded(metadataNumber(metadata, 'latency_ms'), 0, 60_000, 0),
    failureRate: bounded(metadataNumber(metadata, 'failure_rate'), 0, 1, 0),
    failureStatus: status === 429 || status === 500 ? status : 503,
    inputTokens: Math.round(bounded(metadataNumber(metadata, 'usage_input_tokens'), 0, 1_000_000, 10)),
    outputTokens: Math.round(bounded(metadataNumber(metadata, 'usage_output_tokens'), 0, 1_000_000, 20)),
    dimensions: Math.round(bounded(metadataNumber(metadata, 'embedding_dimensions'), 1, 4096, 8)),
  };
}

/** Calls made so far per mock provider, per provider view (gateway instance). */
const CALLS = stateSlot<AdapterDeps, Map<string, number>>('mock call counters', () => new Map());

/** Whether this call of provider `id` fails (deterministic, see the module comment). */
export function nextCallFails(deps: AdapterDeps, id: string, rate: number): boolean {
  const calls = deps.state(CALLS);
  const n = calls.get(id) ?? 0;
  calls.set(id, n + 1);
  return Math.floor((n + 1) * rate) > Math.floor(n * rate);
}

const FAILURE: Record<MockBehaviour['failureStatus'], UpstreamErrorType> = {
  429: 'rate_limited',
  500: 'server_error',
  503: 'overloaded',
};

/**
 * Waits the configured latency within the call's budget, then fails if this call is due to.
 *
 * @throws UpstreamError `timeout` when the latency exceeds the budget, `aborted` when the caller
 *   gave up, or the configured simulated failure.
 */
export async function mockPrelude(ctx: CallContext, behaviour: MockBehaviour): Promise<void> {
  if (behaviour.latencyMs > 0) {
    const budget = armBudget(ctx.budget, MOCK, 'buffered', ctx.deps.now());
    try {
      await ctx.deps.sleep(behaviour.latencyMs, budget.signal);
    } catch (error) {
      throw normalizeTransportError(error, MOCK, budget, 'connect');
    } finally {
      budget.dispose();
    }
  }
  if (behaviour.failureRate > 0 && nextCallFails(ctx.deps, ctx.provider.id, behaviour.failureRate)) {
    const type = FAILURE[behaviour.failureStatus];
    throw new UpstreamError({
      provider: MOCK,
      type,
      retryable: true,
      upstreamStatus: behaviour.failureStatus,
      retryAfterMs: type === 'rate_limited' ? 1000 : null,
      message: `mock provider: simulated ${behaviour.failureStatus} failure (failure_rate ${behaviour.failureRate})`,
    });
  }
}
