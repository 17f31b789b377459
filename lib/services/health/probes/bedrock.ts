/**
 * The Bedrock probe. Bedrock's model list (`ListFoundationModels`) is a control-plane API of
 * another client and another IAM action; the runtime (data-plane) endpoint the gateway actually
 * calls offers `ListAsyncInvokes`, a signed, token-free read. One call with `maxResults: 1` proves
 * the regional runtime endpoint answers and the function's role can sign for Bedrock, without
 * spending a token. It does not prove a given model has capacity: the circuit breaker on real
 * traffic covers that.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { Gateway } from '../../../runtime/gateway.js';
import { stateSlot } from '../../../state-slots.js';
import type { ErrorClass, ProbeInput, ProbeResult } from '../types.js';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The instance's probe clients, by region; destroyed when the instance closes. */
const PROBE_CLIENTS = stateSlot<Gateway, Map<string, BedrockRuntimeClient>>(
  'bedrock probe clients',
  () => new Map(),
  (clients) => {
    for (const client of clients.values()) client.destroy();
    clients.clear();
  },
);

/** The region of a Bedrock provider: `metadata.region` when valid, else the gateway's region. */
export function bedrockRegionOf(deps: Gateway, metadata: Record<string, unknown>): string {
  const region = metadata.region;
  return typeof region === 'string' && REGION.test(region) ? region : deps.config.AWS_REGION;
}

async function clientFor(deps: Gateway, region: string): Promise<BedrockRuntimeClient> {
  const clients = deps.state(PROBE_CLIENTS);
  const existing = clients.get(region);
  if (existing) return existing;
  const sdk = await import('@aws-sdk/client-bedrock-runtime');
  // One attempt: the schedule is the retry, and a probe must end by its deadline.
  const client = new sdk.BedrockRuntimeClient({ region, maxAttempts: 1 });
  clients.set(region, client);
  return client;
}

/** Maps an AWS SDK error of the probe to an error class. */
export function bedrockErrorClass(error: unknown, signal: AbortSignal): ErrorClass {
  if (signal.aborted) return 'timeout';
  const name = error instanceof Error ? error.name : '';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (/AccessDenied|Unrecognized|ExpiredToken|InvalidSignature|CredentialsProvider/.test(name)) return 'auth';
  if (/Throttling|TooManyRequests/.test(name) || status === 429) return 'rate_limited';
  if (/Timeout|Abort/.test(name)) return 'timeout';
  if (status !== undefined && status >= 500) return 'server';
  if (status === undefined) return 'connect';
  return 'bad_response';
}

/** Probes a Bedrock provider once. Never throws. */
export async function probeBedrockProvider(deps: Gateway, input: ProbeInput): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const sdk = await import('@aws-sdk/client-bedrock-runtime');
    const client = await clientFor(deps, bedrockRegionOf(deps, input.provider.metadata));
    const out = await client.send(new sdk.ListAsyncInvokesCommand({ maxResults: 1 }), {
      abortSignal: input.signal,
    });
    return { ok: true, status: out.$metadata.httpStatusCode ?? 200, latencyMs: elapsed() };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    return {
      ok: false,
      latencyMs: elapsed(),
      errorClass: bedrockErrorClass(error, input.signal),
      ...(status ? { status } : {}),
    };
  }
}
