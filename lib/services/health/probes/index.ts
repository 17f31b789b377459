/**
 * The default probe: picks the cheapest check per provider type, and {@link guardProbe}, which puts
 * any probe (the default or an injected one) under a hard deadline so that a probe that ignores its
 * signal still cannot hold a run past its budget.
 */
import type { Gateway } from '../../../runtime/gateway.js';
import type { ProbeInput, ProbeResult, ProbeTarget, ProviderProbe } from '../types.js';
import { probeBedrockProvider } from './bedrock.js';
import { probeHttpProvider } from './http.js';

/**
 * The mock provider is served in-process, so its probe is too: healthy unless the operator sets
 * `metadata.mock_health` to `down` (a 503) or `rate_limited` (a 429), which lets a local trial
 * open and resolve an incident without a network.
 */
export function probeMockProvider(provider: ProbeTarget): ProbeResult {
  const mode = provider.metadata.mock_health;
  if (mode === 'down') return { ok: false, status: 503, latencyMs: 0, errorClass: 'server' };
  if (mode === 'rate_limited') return { ok: false, status: 429, latencyMs: 0, errorClass: 'rate_limited' };
  return { ok: true, status: 200, latencyMs: 0 };
}

/** The probe of the gateway: HTTP list-models per type, Bedrock's runtime read, the mock in-process. */
export function defaultProbe(deps: Gateway): ProviderProbe {
  return async (input) => {
    switch (input.provider.provider_type) {
      case 'mock':
        return probeMockProvider(input.provider);
      case 'bedrock':
        return probeBedrockProvider(deps, input);
      default:
        return probeHttpProvider(deps, input);
    }
  };
}

/**
 * Runs `probe` so that it ends by `deadline` (wall clock) whatever it does: the signal it receives
 * aborts at the deadline (or when `signal` aborts), and the result is a `timeout` at that moment even
 * if the probe never settles. A throw becomes `bad_response`. Latency is the probe's own figure when
 * it gives one, else the measured wall-clock time.
 */
export async function guardProbe(
  probe: ProviderProbe,
  input: { provider: ProbeTarget; deadline: number; signal?: AbortSignal },
): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  const controller = new AbortController();
  const onStop = () => controller.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', onStop, { once: true });
  if (input.signal?.aborted) controller.abort(input.signal.reason);
  let timer: NodeJS.Timeout | undefined;
  const cutOff = new Promise<ProbeResult>((resolve) => {
    const fire = () => {
      controller.abort(new Error('probe deadline'));
      resolve({ ok: false, latencyMs: elapsed(), errorClass: 'timeout' });
    };
    if (controller.signal.aborted) return fire();
    timer = setTimeout(fire, Math.max(0, input.deadline - Date.now()));
    controller.signal.addEventListener('abort', fire, { once: true });
  });
  const probeInput: ProbeInput = {
    provider: input.provider,
    deadline: input.deadline,
    signal: controller.signal,
  };
  const run = Promise.resolve()
    .then(() => probe(probeInput))
    .then(
      (result) => ({
        ...result,
        latencyMs: Number.isFinite(result.latencyMs) ? result.latencyMs : elapsed(),
      }),
      (): ProbeResult => ({ ok: false, latencyMs: elapsed(), errorClass: 'bad_response' }),
    );
  try {
    return await Promise.race([run, cutOff]);
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onStop);
  }
}
