/**
 * What the token-count, image and moderation routes refuse, per role and scope: a viewer cannot call
 * them (403); an invoke key scoped to another provider or another model gets the 404 of a missing
 * model, and no upstream is called for it (a count is no side door to a provider's models); a key
 * scoped to the model's provider is served. `GET /v1/models` shows a scoped key only its own models.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicFake } from '../fakes/anthropic.js';
import { TEST_KEY } from '../fakes/harness.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';

let gw: TestGateway;
let openaiFake: FakeUpstream;
let anthropicFake: FakeUpstream;
let openaiId: string;
let anthropicId: string;
let viewer: MintedKey;
let onOpenAI: MintedKey;
let onAnthropic: MintedKey;
let onOtherModel: MintedKey;

/** One valid call of each new route, aimed at the OpenAI and Anthropic providers' models. */
const CALLS = [
  {
    path: '/v1/messages/count_tokens',
    body: { model: 'claude-scoped', messages: [{ role: 'user', content: 'hi' }] },
    provider: () => anthropicId,
  },
  { path: '/v1/images/generations', body: { model: 'dall-e-3', prompt: 'hi' }, provider: () => openaiId },
  {
    path: '/v1/moderations',
    body: { model: 'omni-moderation-latest', input: 'hi' },
    provider: () => openaiId,
  },
] as const;

const upstreamCalls = () => openaiFake.requests.length + anthropicFake.requests.length;

beforeAll(async () => {
  openaiFake = createOpenAIFake();
  anthropicFake = createAnthropicFake();
  const [openaiOrigin, anthropicOrigin] = await Promise.all([openaiFake.start(), anthropicFake.start()]);
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32' });
  openaiId = await seedProvider(
    gw,
    {
      name: 'scoped-openai',
      provider_type: 'openai',
      service_types: ['image', 'moderation'],
      base_url: `${openaiOrigin}/v1`,
    },
    {
      apiKey: TEST_KEY,
      models: [
        { model_id: 'dall-e-3', model_type: 'image' },
        { model_id: 'omni-moderation-latest', model_type: 'moderation' },
      ],
    },
  );
  anthropicId = await seedProvider(
    gw,
    {
      name: 'scoped-anthropic',
      provider_type: 'anthropic',
      service_types: ['llm'],
      base_url: anthropicOrigin,
    },
    { apiKey: TEST_KEY, models: [{ model_id: 'claude-scoped', model_type: 'llm' }] },
  );
  viewer = await mintKey(gw, { role: 'viewer' });
  onOpenAI = await mintKey(gw, { role: 'invoke', provider_ids: [openaiId] });
  onAnthropic = await mintKey(gw, { role: 'invoke', provider_ids: [anthropicId] });
  onOtherModel = await mintKey(gw, { role: 'invoke', model_ids: ['some-other-model'] });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all([openaiFake.stop(), anthropicFake.stop()]);
});

describe('access: count_tokens, images and moderations', () => {
  it.each(CALLS)('$path: a viewer key is refused with 403 and reaches no upstream', async (call) => {
    const before = upstreamCalls();
    const res = await gw.call('POST', call.path, { body: call.body, key: viewer.key });
    expect(res.status).toBe(403);
    expect(upstreamCalls()).toBe(before);
  });

  it.each(CALLS)(
    '$path: an invoke key scoped elsewhere gets the 404 of a missing model, no upstream call',
    async (call) => {
      const elsewhere = call.provider() === openaiId ? onAnthropic : onOpenAI;
      for (const key of [elsewhere, onOtherModel]) {
        const before = upstreamCalls();
        const res = await gw.call('POST', call.path, { body: call.body, key: key.key });
        const missing = await gw.call('POST', call.path, {
          body: { ...call.body, model: 'never-heard-of-it' },
          key: key.key,
        });
        expect(res.status, res.text).toBe(404);
        expect(res.text.replace(/"request_id":"[^"]*"/, '')).toBe(
          missing.text.replace(/"request_id":"[^"]*"/, ''),
        );
        expect(upstreamCalls()).toBe(before);
      }
    },
  );

  it.each(CALLS)('$path: an invoke key scoped to the provider is served', async (call) => {
    const key = call.provider() === openaiId ? onOpenAI : onAnthropic;
    const res = await gw.call('POST', call.path, { body: call.body, key: key.key });
    expect(res.status, res.text).toBe(200);
  });

  it.each(CALLS)('$path: an invoke key cannot steer the upstream from the body (422)', async (call) => {
    const before = upstreamCalls();
    const res = await gw.call('POST', call.path, {
      body: { ...call.body, base_url: 'https://attacker.example' },
      key: onOpenAI.key,
    });
    expect(res.status).toBe(422);
    expect(upstreamCalls()).toBe(before);
  });

  it('answers a chat for a model outside the scope exactly like one for a missing model', async () => {
    const chat = (model: string) =>
      gw.call('POST', '/v1/chat/completions', {
        body: { model, messages: [{ role: 'user', content: 'hi' }] },
        key: onOpenAI.key,
      });
    const outside = await chat('claude-scoped');
    const missing = await chat('never-heard-of-it');
    expect(outside.status).toBe(404);
    expect(outside.json.error).toEqual({ ...missing.json.error, request_id: outside.json.error.request_id });
  });

  it('lists for a scoped key only the image and moderation models of its provider', async () => {
    const mine = await gw.call('GET', '/v1/models', { key: onOpenAI.key });
    expect(mine.json.data.map((m: { id: string }) => m.id).sort()).toEqual([
      'dall-e-3',
      'omni-moderation-latest',
    ]);
    const other = await gw.call('GET', '/v1/models', { key: onAnthropic.key });
    expect(other.json.data.map((m: { id: string }) => m.id)).toEqual(['claude-scoped']);
  });
});
