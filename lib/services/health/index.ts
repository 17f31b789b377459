/**
 * Provider health, for the rest of the gateway:
 *
 * - routing: {@link getProviderHealth} (status, latency EWMA; cached per `ROUTING_CACHE_TTL`), or the
 *   `HEALTH_STATE` item and the provider's mirrored `health_status` read directly;
 * - the scheduled function and the local timer: {@link runHealthChecks};
 * - the on-demand endpoint: {@link checkProviderNow};
 * - tests and other runtimes: the injectable {@link ProviderProbe} and {@link defaultProbe}.
 *
 * `docs/health.md` describes probes, status rules, incidents, dedupe and retention.
 */
export { defaultProbe, guardProbe } from './probes/index.js';
export { checkProviderNow, type RunReport, runHealthChecks, type ScheduledRunInput } from './scheduled.js';
export { getProviderHealth, type ProviderHealth } from './state-store.js';
export type {
  ErrorClass,
  HealthState,
  HealthStatus,
  ProbeInput,
  ProbeResult,
  ProviderProbe,
} from './types.js';
