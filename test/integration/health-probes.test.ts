import { BedrockRuntimeClient, ListAsyncInvokesCommand } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCredential, listCredentials } from '../../lib/services/credentials/index.js';
import { probeBedrockProvider } from '../../lib/services/health/probes/bedrock.js';
import { probeHttpProvider } from '../../lib/services/health/probes/http.js';
import { defaultProbe, guardProbe, probeMockProvider } from '../../lib/services/health/probes/index.js';
import { probeTargetOf } from '../../lib/services/health/run.js';
import type { ProbeResult, ProbeTarget } from '../../lib/services/health/types.js';
import { keys } from '../../lib/store/keys.js';
import { type FakeUpstream, startFakeUpstream } from '../fakes/health-upstream.js';
import { siblingOf } from '../support/instances.js';
import { ACTOR, ADMIN } from '../support/principals.js';
import { type StoreHarness, startStoreHarness } from '../support/store-harness.js';
import { healthProvider, healthStore } from './health-fixtures.js';

let h: StoreHarness;
let fake: FakeUpstream;

beforeAll(async () => {
  h = await startStoreHarness(healthStore());
  fake = await startFakeUpstream();
});
afterAll(async () => {
  await fake.close();
  await h.close();
});
afterEach(() => {
  fake.mode = 'up';
  fake.requests.length = 0;
});

async function target(id: string): Promise<ProbeTarget> {
  const item = await h.deps.table.get(keys.provider(id));
  return probeTargetOf(item as NonNullable<typeof item>);
}

function probeOnce(provider: ProbeTarget, timeoutMs = 2_000): Promise<ProbeResult> {
  return guardProbe(defaultProbe(h.deps), { provider, deadline: Date.now() + timeoutMs });
}

describe('health probe: the cheapest authenticated read per provider type', () => {
  it('lists models of an OpenAI-compatible provider with GET /models and no key when it has none', async () => {
    const provider = await target(await healthProvider(h.deps, 'probe-custom', fake.url));
    const result = await probeOnce(provider);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('sends the stored credential the way each type expects (Anthropic: x-api-key, one model)', async () => {
    const id = await healthProvider(h.deps, 'probe-anthropic', fake.url.replace(/\/v1$/, ''), 'anthropic');
    const value = `fake-anthropic-${Date.now()}`;
    await createCredential(h.deps, {
      providerId: id,
      body: { credential_type: 'api_key', credential_value: value },
      principal: ADMIN,
      actor: ACTOR,
    });
    const result = await probeOnce(await target(id));
    expect(result.ok).toBe(true);
    expect(fake.requests[0]?.path).toBe('/v1/models?limit=1');
    expect(fake.requests[0]?.headers['x-api-key']).toBe(value);
    expect(fake.requests[0]?.headers['anthropic-version']).toBe('2023-06-01');
    // A probe is not a use of the credential: last_used_at tells operators about real traffic.
    const listed = await listCredentials(h.deps, { providerId: id, limit: 10, principal: ADMIN });
    expect(listed.data.map((c) => c.last_used_at ?? null)).toEqual([null]);
  });

  it.each([
    ['down', 'server', 503],
    ['unauthorized', 'auth', 401],
    ['throttled', 'rate_limited', 429],
    ['html', 'bad_response', undefined],
  ] as const)('classifies an upstream that is %s as %s', async (mode, errorClass, status) => {
    const provider = await target(await healthProvider(h.deps, `probe-${mode}`, fake.url));
    fake.mode = mode;
    const result = await probeOnce(provider);
    expect(result).toMatchObject({ ok: false, errorClass });
    expect(result.status).toBe(status);
  });

  it('refuses a loopback upstream that is not allow-listed at connect time (connect, no request)', async () => {
    const provider = { ...(await target(await healthProvider(h.deps, 'probe-refused', fake.url))) };
    const strict = siblingOf(h.deps, { config: { ALLOWED_PRIVATE_UPSTREAMS: undefined } });
    const result = await probeHttpProvider(strict, {
      provider,
      deadline: Date.now() + 2_000,
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ ok: false, errorClass: 'connect' });
    expect(fake.requests).toHaveLength(0);
  });

  it('cuts a provider that never answers at the deadline (timeout)', async () => {
    const provider = await target(await healthProvider(h.deps, 'probe-hang', fake.url));
    fake.mode = 'hang';
    const started = performance.now();
    const result = await probeOnce(provider, 300);
    const took = performance.now() - started;
    expect(result).toMatchObject({ ok: false, errorClass: 'timeout' });
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(800);
  });

  it('probes the mock in-process, failing only when its metadata says so', () => {
    const mock: ProbeTarget = {
      id: 'prov_m',
      name: 'm',
      provider_type: 'mock',
      base_url: null,
      timeout_seconds: 5,
      metadata: {},
    };
    expect(probeMockProvider(mock)).toMatchObject({ ok: true });
    expect(probeMockProvider({ ...mock, metadata: { mock_health: 'down' } })).toMatchObject({
      ok: false,
      errorClass: 'server',
    });
  });
});

describe('health probe: Bedrock through the runtime endpoint (ListAsyncInvokes, no tokens)', () => {
  const bedrock = mockClient(BedrockRuntimeClient);
  const provider: ProbeTarget = {
    id: 'prov_b',
    name: 'bedrock',
    provider_type: 'bedrock',
    base_url: null,
    timeout_seconds: 5,
    metadata: { region: 'eu-west-1' },
  };
  const input = () => ({ provider, deadline: Date.now() + 1_000, signal: new AbortController().signal });
  afterEach(() => bedrock.reset());
  afterAll(() => bedrock.restore());

  it('is ok when the signed read succeeds, asking for one item', async () => {
    bedrock
      .on(ListAsyncInvokesCommand)
      .resolves({ $metadata: { httpStatusCode: 200 }, asyncInvokeSummaries: [] });
    expect(await probeBedrockProvider(h.deps, input())).toMatchObject({ ok: true, status: 200 });
    expect(bedrock.commandCalls(ListAsyncInvokesCommand)[0]?.args[0].input).toEqual({ maxResults: 1 });
  });

  it.each([
    ['AccessDeniedException', 403, 'auth'],
    ['ThrottlingException', 429, 'rate_limited'],
    ['ServiceUnavailableException', 503, 'server'],
  ] as const)('classifies %s as %s', async (name, status, errorClass) => {
    const error = Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    bedrock.on(ListAsyncInvokesCommand).rejects(error);
    expect(await probeBedrockProvider(h.deps, input())).toMatchObject({ ok: false, errorClass, status });
  });
});

describe('health probe guard: every probe ends by its deadline', () => {
  const provider: ProbeTarget = {
    id: 'prov_g',
    name: 'g',
    provider_type: 'custom',
    base_url: null,
    timeout_seconds: 5,
    metadata: {},
  };

  it('answers timeout at the deadline for a probe that ignores its signal and never settles', async () => {
    let sawAbort = false;
    const never = (input: { signal: AbortSignal }) => {
      input.signal.addEventListener('abort', () => {
        sawAbort = true;
      });
      return new Promise<ProbeResult>(() => {});
    };
    const started = performance.now();
    const result = await guardProbe(never, { provider, deadline: Date.now() + 200 });
    const took = performance.now() - started;
    expect(result).toMatchObject({ ok: false, errorClass: 'timeout' });
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(500);
    expect(sawAbort).toBe(true);
  });

  it('turns a throw into bad_response and stops at once when the run is stopped', async () => {
    const thrown = await guardProbe(
      async () => {
        throw new Error('bug');
      },
      { provider, deadline: Date.now() + 1_000 },
    );
    expect(thrown).toMatchObject({ ok: false, errorClass: 'bad_response' });
    const stop = new AbortController();
    stop.abort();
    const started = performance.now();
    await guardProbe(() => new Promise<ProbeResult>(() => {}), {
      provider,
      deadline: Date.now() + 5_000,
      signal: stop.signal,
    });
    expect(performance.now() - started).toBeLessThan(100);
  });
});
