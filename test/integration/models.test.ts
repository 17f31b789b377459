import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
let openai: string;
let anthropic: string;
beforeAll(async () => {
  gw = await startTestGateway();
  openai = (await gw.call('POST', '/api/providers', { body: providerBody('models-openai') })).json.id;
  anthropic = (
    await gw.call('POST', '/api/providers', {
      body: providerBody('models-anthropic', { provider_type: 'anthropic' }),
    })
  ).json.id;
});
afterAll(async () => {
  await gw.stop();
});

const gpt4o = {
  model_id: 'gpt-4o',
  model_name: 'GPT-4o',
  model_type: 'llm',
  context_window: 128000,
  max_output_tokens: 16384,
  capabilities: ['streaming', 'tools', 'vision', 'json_mode'],
  pricing: {
    input_per_1m: 2.5,
    output_per_1m: 10,
    cached_input_per_1m: 1.25,
    effective_from: '2024-10-01T00:00:00Z',
  },
};

describe('models: the catalog', () => {
  it('adds a model and reads it back with the price in force', async () => {
    const created = await gw.call('POST', `/api/providers/${openai}/models`, { body: gpt4o });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      provider_id: openai,
      model_id: 'gpt-4o',
      context_window: 128000,
      pricing: { input_per_1m: 2.5, output_per_1m: 10, effective_from: '2024-10-01T00:00:00.000Z' },
      deprecated_at: null,
      version: 1,
    });
    const read = await gw.call('GET', `/api/providers/${openai}/models/gpt-4o`);
    expect(read.json).toEqual(created.json);
  });

  it('refuses a second model with the same id under one provider, allows it under another', async () => {
    await gw.call('POST', `/api/providers/${openai}/models`, {
      body: { model_id: 'dup', model_type: 'llm' },
    });
    const again = await gw.call('POST', `/api/providers/${openai}/models`, {
      body: { model_id: 'dup', model_type: 'llm' },
    });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('model_exists');
    const other = await gw.call('POST', `/api/providers/${anthropic}/models`, {
      body: { model_id: 'dup', model_type: 'llm' },
    });
    expect(other.status).toBe(201);
  });

  it('serves model ids that contain slashes and colons', async () => {
    const id = 'meta-llama/Llama-3.1-8B-Instruct:free';
    const created = await gw.call('POST', `/api/providers/${anthropic}/models`, {
      body: { model_id: id, model_type: 'llm' },
    });
    expect(created.status).toBe(201);
    const read = await gw.call('GET', `/api/providers/${anthropic}/models/${id}`);
    expect(read.status).toBe(200);
    expect(read.json.model_id).toBe(id);
    const encoded = await gw.call('GET', `/api/providers/${anthropic}/models/${encodeURIComponent(id)}`);
    expect(encoded.json.model_id).toBe(id);
  });

  it('keeps a price change as history: the old price stays for the past', async () => {
    await gw.call('POST', `/api/providers/${anthropic}/models`, {
      body: {
        model_id: 'priced',
        model_type: 'llm',
        pricing: { input_per_1m: 3, effective_from: '2025-01-01T00:00:00Z' },
      },
    });
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const patched = await gw.call('PATCH', `/api/providers/${anthropic}/models/priced`, {
      body: { version: 1, pricing: { input_per_1m: 1, effective_from: future } },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.pricing.input_per_1m).toBe(3);
    expect(patched.json.pricing_history.map((p: { input_per_1m: number }) => p.input_per_1m)).toEqual([3, 1]);
    const rewrite = await gw.call('PATCH', `/api/providers/${anthropic}/models/priced`, {
      body: { pricing: { input_per_1m: 0.5, effective_from: '2025-06-01T00:00:00Z' } },
    });
    expect(rewrite.status).toBe(422);
  });

  it('refuses a stale version with 409 and deletes a model', async () => {
    await gw.call('POST', `/api/providers/${openai}/models`, {
      body: { model_id: 'to-delete', model_type: 'embedding' },
    });
    await gw.call('PATCH', `/api/providers/${openai}/models/to-delete`, {
      body: { version: 1, context_window: 8191 },
    });
    const stale = await gw.call('PATCH', `/api/providers/${openai}/models/to-delete`, {
      body: { version: 1, context_window: 1 },
    });
    expect(stale.status).toBe(409);
    expect((await gw.call('DELETE', `/api/providers/${openai}/models/to-delete`)).status).toBe(204);
    expect((await gw.call('GET', `/api/providers/${openai}/models/to-delete`)).status).toBe(404);
  });

  it('lists across providers with filters model_type, capability, provider_id and q', async () => {
    await gw.call('POST', `/api/providers/${openai}/models`, {
      body: { model_id: 'text-embedding-3-small', model_type: 'embedding', capabilities: [] },
    });
    const all = await gw.call('GET', '/api/providers/models?limit=100');
    expect(all.json.data.length).toBeGreaterThanOrEqual(5);
    const embeddings = await gw.call('GET', '/api/providers/models?model_type=embedding&limit=100');
    expect(embeddings.json.data.every((m: { model_type: string }) => m.model_type === 'embedding')).toBe(
      true,
    );
    const vision = await gw.call('GET', '/api/providers/models?capability=vision');
    expect(vision.json.data.map((m: { model_id: string }) => m.model_id)).toEqual(['gpt-4o']);
    const ofAnthropic = await gw.call('GET', `/api/providers/models?provider_id=${anthropic}&limit=100`);
    expect(ofAnthropic.json.data.every((m: { provider_id: string }) => m.provider_id === anthropic)).toBe(
      true,
    );
    const search = await gw.call('GET', '/api/providers/models?q=LLAMA');
    expect(search.json.data.map((m: { model_id: string }) => m.model_id)).toEqual([
      'meta-llama/Llama-3.1-8B-Instruct:free',
    ]);
  });

  it('answers 404 for a model of an unknown provider', async () => {
    const res = await gw.call('POST', '/api/providers/prov_01m8bwjkr672zknf0jar5m8r48/models', {
      body: { model_id: 'x', model_type: 'llm' },
    });
    expect(res.status).toBe(404);
  });
});
