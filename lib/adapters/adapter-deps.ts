/**
 * The provider layer's dependencies, part of the gateway instance: ONE HTTP client (one undici
 * Agent, one keep-alive pool per origin) shared by every provider, request and health probe, the
 * SSRF policy, the clock, the AWS region. Adapter tests build their own with {@link createAdapterDeps}.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { LookupAllImpl, UpstreamPolicy } from '../net/upstream-address.js';
import { SlotStore } from '../state-slots.js';
import { type HttpClientLimits, UpstreamHttpClient } from '../upstream/http-client.js';
import type { AdapterDeps, StaticAwsCredentials } from './contract.js';

/** Options of {@link createAdapterDeps}. */
export interface AdapterDepsOptions {
  policy: UpstreamPolicy;
  /** Default provider timeout, in seconds (`PROVIDER_REQUEST_TIMEOUT`; default 30). */
  defaultTimeoutSeconds?: number;
  region?: string;
  awsCredentials?: StaticAwsCredentials;
  /** DNS behind the SSRF guard (tests). */
  lookup?: LookupAllImpl;
  limits?: Partial<HttpClientLimits>;
  connectTimeoutMs?: number;
  now?: () => number;
}

/** A sleep that rejects with the signal's reason when it aborts. */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal === undefined ? {} : { signal });
}

/**
 * Builds the provider view of a gateway instance (one HTTP client); `close()` it with the
 * instance (tests that build their own close it themselves).
 */
export function createAdapterDeps(options: AdapterDepsOptions): AdapterDeps {
  const now = options.now ?? Date.now;
  const http = new UpstreamHttpClient({
    policy: options.policy,
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    now,
  });
  const deps: AdapterDeps = {
    http,
    policy: options.policy,
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    now,
    defaultTimeoutMs: (options.defaultTimeoutSeconds ?? 30) * 1000,
    aws: {
      region: options.region ?? 'us-east-1',
      ...(options.awsCredentials === undefined ? {} : { credentials: options.awsCredentials }),
    },
    sleep: abortableSleep,
    state: (slot) => slots.get(slot),
    async close() {
      await slots.close();
      await http.close();
    },
  };
  const slots = new SlotStore<AdapterDeps>(deps);
  return deps;
}
