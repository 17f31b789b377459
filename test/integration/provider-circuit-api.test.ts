/**
 * Circuit state in the provider API, over the real local runtime: a provider whose upstream fails
 * shows its circuit (and its model's) open with when it opened and when traffic is tried again,
 * then half-open once the open period is over, then closed after an answered probe. A key scoped
 * to another model sees the provider's circuit but not the model's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../fakes/harness.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { TestClock } from '../support/clock.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';

const THRESHOLD = 2;
const OPEN_SECONDS = 30;
const clock = TestClock.wall();
let gw: TestGateway;
let upstream: FakeUpstream;
let providerId: string;

const chat = () =>
  gw.call('POST', '/v1/chat/completions', {
    body: { model: 'cb-chat', messages: [{ role: 'user', content: 'hi' }] },
  });
const overloaded = { kind: 'json', status: 503, body: { error: { message: 'overloaded' } } } as const;

beforeAll(async () => {
  upstream = createOpenAIFake();
  const origin = await upstream.start();
  gw = await startTestGateway(
    {
      ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
      // The failures this test provokes would each log an expected error.
      LOG_LEVEL: 'SILENT',
      HEALTH_SCHEDULE: 'off',
      ROUTING_CACHE_TTL: '0',
      CIRCUIT_FAILURE_THRESHOLD: String(THRESHOLD),
      CIRCUIT_OPEN_SECONDS: String(OPEN_SECONDS),
    },
    { now: clock.now },
  );
  providerId = await seedProvider(
    gw,
    { name: 'cb-api', provider_type: 'openai', service_types: ['llm'], base_url: `${origin}/v1` },
    {
      apiKey: TEST_KEY,
      models: [
        { model_id: 'cb-chat', model_type: 'llm' },
        { model_id: 'cb-other', model_type: 'llm' },
      ],
    },
  );
});
afterAll(async () => {
  await gw.stop();
  await upstream.stop();
});

describe('providers API: circuit state', () => {
  it('shows a healthy provider closed, with no model circuits', async () => {
    const res = await gw.call('GET', `/api/providers/${providerId}`);
    expect(res.status, res.text).toBe(200);
    expect(res.json.circuit).toEqual({ state: 'closed', opened_at: null, retry_at: null, models: [] });
  });

  it('shows the circuit open after failures, in the provider and in the list', async () => {
    const started = clock.now();
    for (let i = 0; i < THRESHOLD; i++) {
      upstream.script('POST /v1/chat/completions', overloaded, overloaded);
      const res = await chat();
      expect(res.status, res.text).toBeGreaterThanOrEqual(500);
    }
    const ended = clock.now();
    upstream.reset(); // the 503s not used up must not answer the probe later
    const one = await gw.call('GET', `/api/providers/${providerId}`);
    const { circuit } = one.json;
    expect(circuit).toMatchObject({ state: 'open', models: [{ model_id: 'cb-chat', state: 'open' }] });
    for (const breaker of [circuit, circuit.models[0]]) {
      const opened = Date.parse(breaker.opened_at);
      expect(opened).toBeGreaterThanOrEqual(started);
      expect(opened).toBeLessThanOrEqual(ended);
      expect(Date.parse(breaker.retry_at) - opened).toBe(OPEN_SECONDS * 1000);
    }
    const list = await gw.call('GET', '/api/providers');
    expect(list.json.data.find((p: { id: string }) => p.id === providerId).circuit).toEqual(one.json.circuit);
    // While open, no request reaches the upstream.
    const before = upstream.requests.length;
    expect((await chat()).status).toBe(503);
    expect(upstream.requests.length).toBe(before);
  });

  it("hides the model's circuit from a key scoped to another model, and from no one the provider's", async () => {
    const other = await mintKey(gw, { role: 'viewer', model_ids: ['cb-other'] });
    const seen = await gw.call('GET', `/api/providers/${providerId}`, { key: other.key });
    expect(seen.status, seen.text).toBe(200);
    expect(seen.json.circuit).toMatchObject({ state: 'open', models: [] });
    const same = await mintKey(gw, { role: 'viewer', model_ids: ['cb-chat'] });
    const mine = await gw.call('GET', '/api/providers', { key: same.key });
    expect(mine.json.data[0].circuit.models.map((m: { model_id: string }) => m.model_id)).toEqual([
      'cb-chat',
    ]);
  });

  it('reads half_open once the open period is over, then closed after an answered probe', async () => {
    clock.advance(OPEN_SECONDS * 1000 + 1);
    const due = await gw.call('GET', `/api/providers/${providerId}`);
    expect(due.json.circuit).toMatchObject({ state: 'half_open', retry_at: null });
    expect(due.json.circuit.models[0]).toMatchObject({ model_id: 'cb-chat', state: 'half_open' });

    const answered = await chat();
    expect(answered.status, answered.text).toBe(200);
    const closed = await gw.call('GET', `/api/providers/${providerId}`);
    expect(closed.json.circuit).toEqual({ state: 'closed', opened_at: null, retry_at: null, models: [] });
  });
});
