/**
 * The HTTP probe: the cheapest authenticated read each provider type offers (listing models, one
 * page of one where the API pages), sent through the gateway's one upstream client
 * (`lib/upstream/http-client.ts`: SSRF-guarded connect, no redirects, response cap, time budget)
 * with the credential the AI path would use (`resolveProviderSecret`). No tokens are spent.
 */
import type { Gateway } from '../../../runtime/gateway.js';
import { upstreamStatusError } from '../../../upstream/classify.js';
import { UpstreamError } from '../../../upstream/errors.js';
import { resolveProviderSecret } from '../../credentials/resolve.js';
import { DEFAULT_BASE_URLS } from '../../provider-defaults.js';
import type { ErrorClass, ProbeInput, ProbeResult, ProviderType } from '../types.js';

/** Where and how one provider type is probed. */
interface HttpProbeSpec {
  /** Appended to the base URL's path. */
  path: string;
  query?: Record<string, string>;
  auth(secret: string): Record<string, string>;
  headers?: Record<string, string>;
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** The probe of each HTTP provider type (Bedrock and the mock are not HTTP: see `index.ts`). */
export const HTTP_PROBES: Partial<Record<ProviderType, HttpProbeSpec>> = {
  openai: { path: '/models', auth: bearer },
  custom: { path: '/models', auth: bearer },
  huggingface: { path: '/models', auth: bearer },
  anthropic: {
    path: '/v1/models',
    query: { limit: '1' },
    auth: (secret) => ({ 'x-api-key': secret }),
    headers: { 'anthropic-version': '2023-06-01' },
  },
  cohere: { path: '/v1/models', query: { page_size: '1' }, auth: bearer },
};

/** Largest probe answer read (a full OpenAI model list is ~100 KiB). */
const MAX_PROBE_BYTES = 2 * 1024 * 1024;

/** Maps the client's normalized error to a probe error class. */
export function errorClassOf(error: unknown): ErrorClass {
  if (!(error instanceof UpstreamError)) return 'bad_response';
  switch (error.type) {
    case 'timeout':
    case 'aborted':
      return 'timeout';
    case 'connect_error':
    case 'upstream_refused':
      return 'connect';
    case 'authentication':
    case 'permission':
    case 'quota_exceeded':
      return 'auth';
    case 'rate_limited':
      return 'rate_limited';
    case 'server_error':
    case 'overloaded':
      return 'server';
    default:
      return 'bad_response';
  }
}

function probeUrl(base: string, spec: HttpProbeSpec): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${spec.path}`;
  for (const [name, value] of Object.entries(spec.query ?? {})) url.searchParams.set(name, value);
  return url;
}

/** Auth headers from the provider's credential; none when it has none (a keyless local server). */
async function authHeaders(deps: Gateway, provider: ProbeInput['provider'], spec: HttpProbeSpec) {
  const secret = await resolveProviderSecret(deps, provider, { recordUse: false, probe: true });
  return { headers: secret?.value ? spec.auth(secret.value) : {}, secret: secret?.value };
}

/**
 * Probes an HTTP provider once. Never throws: every failure is a result with an error class. A
 * credential that cannot be resolved (decrypt or KMS failure) is `auth` without calling upstream.
 */
export async function probeHttpProvider(deps: Gateway, input: ProbeInput): Promise<ProbeResult> {
  const { provider } = input;
  const spec = HTTP_PROBES[provider.provider_type];
  const base = provider.base_url ?? DEFAULT_BASE_URLS[provider.provider_type];
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  if (!spec || !base) return { ok: false, latencyMs: 0, errorClass: 'bad_response' };
  let auth: { headers: Record<string, string>; secret: string | undefined };
  try {
    auth = await authHeaders(deps, provider, spec);
  } catch {
    return { ok: false, latencyMs: elapsed(), errorClass: 'auth' };
  }
  try {
    const response = await deps.upstream.http.json({
      provider: provider.provider_type,
      url: probeUrl(base, spec),
      method: 'GET',
      headers: { ...spec.headers, ...auth.headers },
      budget: {
        timeoutMs: Math.max(1, input.deadline - Date.now()),
        deadline: input.deadline,
        signal: input.signal,
      },
      maxResponseBytes: MAX_PROBE_BYTES,
      mapError: (r) =>
        upstreamStatusError({
          provider: provider.provider_type,
          status: r.status,
          headers: r.headers,
          facts: {},
          now: Date.now(),
          secrets: [auth.secret],
        }),
    });
    const shapeOk = typeof response.body === 'object' && response.body !== null;
    return shapeOk
      ? { ok: true, status: response.status, latencyMs: elapsed() }
      : { ok: false, status: response.status, latencyMs: elapsed(), errorClass: 'bad_response' };
  } catch (error) {
    const status = error instanceof UpstreamError ? (error.upstreamStatus ?? undefined) : undefined;
    return {
      ok: false,
      latencyMs: elapsed(),
      errorClass: errorClassOf(error),
      ...(status ? { status } : {}),
    };
  }
}
