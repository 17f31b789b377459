/**
 * Shared latency figures (least_latency): one item per provider+model under the provider's
 * partition, holding an exponentially weighted moving average in milliseconds and when it was last
 * written. Writers are instances (at most once per cache TTL, or on a large change) and the health
 * checker; last writer wins, which for "how fast is it now" is the right merge.
 */

import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';

/** Weight of a new sample in every latency EWMA (0..1): ~5 samples to follow a change. */
export const LATENCY_ALPHA = 0.3;
/** Longest latency sample kept, in milliseconds (a longer one is clamped: it is "very slow"). */
export const MAX_LATENCY_SAMPLE_MS = 900_000;

export interface SharedLatency {
  providerId: string;
  modelId: string;
  ewmaMs: number;
  /** Epoch milliseconds of the last write. */
  updatedAt: number;
}

/** Reads a stored latency item; `null` if it is malformed. */
export function sharedLatencyOf(item: Record<string, unknown>): SharedLatency | null {
  const ewmaMs = Number(item.ewma_ms);
  const updatedAt = Number(item.updated_at_ms);
  if (!Number.isFinite(ewmaMs) || !Number.isFinite(updatedAt) || typeof item.model_id !== 'string')
    return null;
  return { providerId: String(item.provider_id), modelId: item.model_id, ewmaMs, updatedAt };
}

/** Folds one sample into an EWMA (`previous` undefined: the sample itself). */
export function ewma(previous: number | undefined, sampleMs: number): number {
  const sample = Math.min(MAX_LATENCY_SAMPLE_MS, Math.max(0, sampleMs));
  return previous === undefined ? sample : previous + LATENCY_ALPHA * (sample - previous);
}

/** Writes a provider+model's shared EWMA (one unconditional update). */
export async function writeLatency(
  deps: Gateway,
  input: { providerId: string; modelId: string; ewmaMs: number; samples: number },
): Promise<void> {
  await deps.table.update({
    key: keys.latency(input.providerId, input.modelId),
    set: {
      ewma_ms: Math.round(input.ewmaMs * 10) / 10,
      updated_at_ms: deps.now(),
      provider_id: input.providerId,
      model_id: input.modelId,
      entity: 'latency',
    },
    add: { samples: input.samples },
  });
}

/**
 * Folds one latency measurement into the shared figure: what the health checker calls after each
 * check (off the request path), so least_latency rules learn about providers that get no traffic.
 *
 * @param latencyMs - time to the upstream's answer, in milliseconds.
 */
export async function recordLatencySample(
  deps: Gateway,
  input: { providerId: string; modelId: string; latencyMs: number },
): Promise<void> {
  const current = await deps.table.get(keys.latency(input.providerId, input.modelId));
  const previous = current ? sharedLatencyOf(current)?.ewmaMs : undefined;
  await writeLatency(deps, { ...input, ewmaMs: ewma(previous, input.latencyMs), samples: 1 });
}
