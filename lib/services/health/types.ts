/**
 * The contract of health checks: what a probe receives and returns, and the derived state each
 * provider carries. Probes are injectable so tests (and other runtimes) can replace the network.
 */
import type { ERROR_CLASSES, HEALTH_STATUSES, PROVIDER_TYPES } from '../../schemas/vocabulary.js';

/** `unknown` (never checked), `healthy`, `degraded`, `down`. */
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
/** A provider's type, which decides its probe. */
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** Why a probe failed: `timeout`, `connect`, `auth`, `rate_limited`, `server`, `bad_response`. */
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** The fields of a stored provider a probe reads. */
export interface ProbeTarget {
  id: string;
  name: string;
  provider_type: ProviderType;
  base_url: string | null;
  /** The provider's own request timeout, in seconds. */
  timeout_seconds: number;
  metadata: Record<string, unknown>;
}

/** What a probe receives. */
export interface ProbeInput {
  provider: ProbeTarget;
  /** Wall-clock epoch milliseconds (`Date.now()`, never the injected clock) the probe must end by. */
  deadline: number;
  /** Aborts when the deadline passes or the run is stopped; probes must pass it to their transport. */
  signal: AbortSignal;
}

/** One probe's outcome. `latencyMs` is wall-clock time of the probe, in milliseconds. */
export interface ProbeResult {
  ok: boolean;
  /** The upstream HTTP status, when one arrived. */
  status?: number;
  latencyMs: number;
  errorClass?: ErrorClass;
}

/**
 * Checks one provider with the cheapest call that proves it works. Should not throw (a throw is
 * recorded as `bad_response`); must honour `signal` (the runner also cuts it off at the deadline).
 */
export type ProviderProbe = (input: ProbeInput) => Promise<ProbeResult>;

/** What started a check: the schedule (EventBridge or the local timer) or an operator. */
export type CheckTrigger = 'schedule' | 'manual';

/** The derived health of a provider, stored on `PROVIDER#<id> / HEALTH_STATE`. */
export interface HealthState {
  provider_id: string;
  status: HealthStatus;
  /** ISO instant `status` last changed. */
  status_since: string;
  consecutive_failures: number;
  consecutive_successes: number;
  /** Exponentially weighted mean of successful probe latencies (ms); null before the first success. */
  latency_ewma_ms: number | null;
  last_latency_ms: number | null;
  last_error_class: ErrorClass | null;
  last_checked_at: string;
  /**
   * The check slot (`floor(observed_at / interval)`) last counted: at most one check per provider
   * and interval moves the counters, so duplicate or overlapping runs never count twice.
   */
  last_slot: number;
  /** Increments with every counted check; the optimistic-concurrency token of the state item. */
  seq: number;
}

/** One probe result placed in time, as the state machine consumes it. */
export interface Observation {
  result: ProbeResult;
  /** ISO instant the check counts for (the scheduled time of a run, or now for a manual check). */
  observedAt: string;
  slot: number;
}

/** Thresholds of the state machine (from configuration). */
export interface HealthRules {
  failuresToDown: number;
  successesToRecover: number;
  degradedLatencyMs: number;
  /** Weight of the newest latency in the EWMA, 0..1. */
  ewmaAlpha: number;
}
