/**
 * What one function instance remembers about routing: the cached configuration snapshot, its view
 * of circuit states and its own latency observations, held by the gateway instance (tests build
 * several instances sharing one table); nothing here must be
 * shared for correctness: the table is the source of truth, this is a bounded-staleness cache.
 */
import { randomUUID } from 'node:crypto';
import type { Gateway } from '../../runtime/gateway.js';
import type { Model } from '../../schemas/models.js';
import type { Provider } from '../../schemas/providers.js';
import type { Rule } from '../../schemas/routing.js';
import { stateSlot } from '../../state-slots.js';
import type { SharedLatency } from './latency-store.js';

/** The routing configuration an instance works from (see `snapshot.ts`, which loads it). */
export interface Snapshot {
  /** Epoch milliseconds of the refresh. */
  loadedAt: number;
  /** Active rules, most specific first (exact, then longer globs), then by priority and age. */
  rules: Rule[];
  providers: Map<string, Provider>;
  /** Catalog entries by {@link pairKey}(provider, model). */
  models: Map<string, Model>;
  /** Catalog entries by model id: which providers serve a model. */
  servedBy: Map<string, Model[]>;
  /** Shared latency EWMA by {@link pairKey}(provider, model). */
  latencies: Map<string, SharedLatency>;
  /** The health checker's latency EWMA per provider (any model): the fallback figure. */
  healthLatencies: Map<string, number>;
}

/** An instance's view of one circuit (absent = closed). Times are epoch milliseconds. */
export interface CircuitView {
  state: 'closed' | 'open' | 'half_open';
  /** Until when an open circuit refuses traffic; after it, one probe may test the upstream. */
  openUntil: number;
  /** Until when the half-open probe lease is held by someone (a probe is in flight). */
  probeUntil: number;
  /** When the stored state last changed (orders a refresh against this instance's own writes). */
  changedAt: number;
}

/** This instance's latency EWMA of one provider+model, and what it last shared. */
export interface LocalLatency {
  ewmaMs: number;
  samples: number;
  lastAt: number;
  flushedMs: number | null;
  flushedAt: number;
  unflushed: number;
}

export interface RoutingState {
  /** Identifies this instance as the holder of a probe lease. */
  readonly instanceId: string;
  snapshot: Snapshot | undefined;
  /** The refresh in flight, shared by concurrent requests (single flight). */
  loading: Promise<Snapshot> | undefined;
  circuits: Map<string, CircuitView>;
  latency: Map<string, LocalLatency>;
}

const ROUTING = stateSlot<Gateway, RoutingState>('routing', () => ({
  instanceId: randomUUID(),
  snapshot: undefined,
  loading: undefined,
  circuits: new Map(),
  latency: new Map(),
}));

/** The routing state of the gateway instance `deps` (created on first use). */
export function routingState(deps: Gateway): RoutingState {
  return deps.state(ROUTING);
}

/** Map key of a provider (`modelId` absent) or provider+model pair. */
export function pairKey(providerId: string, modelId?: string): string {
  return modelId === undefined ? providerId : `${providerId}\n${modelId}`;
}
