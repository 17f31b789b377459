/**
 * The provider layer's dependencies, created once per container: ONE HTTP client (one undici Agent,
 * one keep-alive pool per origin) shared by every provider and request, the SSRF policy, the AWS
 * region. Tests build their own with {@link createProviderDeps}.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { getConfig } from '../config.js';
import {
  type LookupAllImpl,
  parseAllowedPrivateUpstreams,
  type UpstreamPolicy,
} from '../net/upstream-address.js';
import { type HttpClientLimits, UpstreamHttpClient } from '../upstream/http-client.js';
import type { ProviderDeps, StaticAwsCredentials } from './contract.js';

/** Options of {@link createProviderDeps}. */
export interface ProviderDepsOptions {
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

/** Builds provider deps (one HTTP client); close `deps.http` when done (tests). */
export function createProviderDeps(options: ProviderDepsOptions): ProviderDeps {
  const now = options.now ?? Date.now;
  return {
    http: new UpstreamHttpClient({
      policy: options.policy,
      ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      now,
    }),
    policy: options.policy,
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    now,
    defaultTimeoutMs: (options.defaultTimeoutSeconds ?? 30) * 1000,
    aws: {
      region: options.region ?? 'us-east-1',
      ...(options.awsCredentials === undefined ? {} : { credentials: options.awsCredentials }),
    },
    sleep: abortableSleep,
  };
}

let current: ProviderDeps | undefined;

/** The container's provider deps, built from the configuration on first use. */
export function getProviderDeps(): ProviderDeps {
  if (current === undefined) {
    const config = getConfig();
    current = createProviderDeps({
      policy: { allowedPrivate: parseAllowedPrivateUpstreams(config.ALLOWED_PRIVATE_UPSTREAMS) },
      defaultTimeoutSeconds: config.PROVIDER_REQUEST_TIMEOUT,
      region: config.AWS_REGION,
    });
  }
  return current;
}

/** Replaces the container's provider deps (the local runtime and tests). */
export function setProviderDeps(deps: ProviderDeps | undefined): void {
  current = deps;
}
