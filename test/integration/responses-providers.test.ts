/**
 * Every provider type serves `/v1/responses` through its chat adapter: OpenAI, Cohere v2, the
 * Hugging Face router, a custom OpenAI-compatible host (each behind its fake upstream) and the
 * built-in mock, created and streamed with the official OpenAI SDK.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCohereFake } from '../fakes/cohere.js';
import { TEST_KEY } from '../fakes/harness.js';
import { createHuggingFaceRouterFake } from '../fakes/huggingface.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
let openai: OpenAI;
const fakes: Record<string, FakeUpstream> = {
  openai: createOpenAIFake(),
  cohere: createCohereFake(),
  huggingface: createHuggingFaceRouterFake(),
  custom: createOpenAIFake(),
};

const PROVIDERS = [
  { type: 'openai', model: 'gpt-4o', path: '/v1' },
  { type: 'cohere', model: 'command-r', path: '' },
  { type: 'huggingface', model: 'meta-llama/Llama-3.1-8B-Instruct', path: '/v1' },
  { type: 'custom', model: 'local-llama', path: '/v1' },
];

beforeAll(async () => {
  await Promise.all(Object.values(fakes).map((fake) => fake.start()));
  gw = await startTestGateway({
    ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
    PROVIDER_MAX_RETRIES: '0',
    HEALTH_SCHEDULE: 'off',
    MOCK_PROVIDER: 'on',
  });
  for (const p of PROVIDERS) {
    await seedProvider(
      gw,
      {
        name: `fake-${p.type}`,
        provider_type: p.type,
        base_url: `${fakes[p.type]!.origin}${p.path}`,
        service_types: ['llm'],
      },
      { apiKey: TEST_KEY, models: [{ model_id: p.model, model_type: 'llm', capabilities: ['streaming'] }] },
    );
  }
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.adminKey, maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all(Object.values(fakes).map((fake) => fake.stop()));
});

async function streamedText(model: string, input: string): Promise<{ text: string; last: string }> {
  const stream = await openai.responses.create({ model, input, stream: true });
  let text = '';
  let last = '';
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') text += event.delta;
    last = event.type;
  }
  return { text, last };
}

describe('responses over every provider type', () => {
  it.each(PROVIDERS)('$type: creates and streams, through its own wire format', async (p) => {
    const created = await openai.responses.create({ model: p.model, input: `hello ${p.type}` });
    expect(created.output_text).toBe(`echo: hello ${p.type}`);
    expect(created.usage?.total_tokens).toBeGreaterThan(0);
    expect(await streamedText(p.model, 'again')).toEqual({
      text: 'echo: again',
      last: 'response.completed',
    });
    expect(fakes[p.type]!.requests.length).toBe(2);
  });

  it('mock: the built-in provider answers, marked as mock', async () => {
    const created = await openai.responses.create({ model: 'mock-chat', input: 'ping' });
    expect(created.output_text).toBe('[mock] You said: ping');
    expect((await streamedText('mock-chat', 'pong')).text).toBe('[mock] You said: pong');
  });
});
