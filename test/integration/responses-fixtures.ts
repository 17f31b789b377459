/**
 * The world of the Responses API tests: the local runtime with an Anthropic-wire provider and a
 * Bedrock provider (each behind its fake upstream, priced so usage has a cost), and the official
 * OpenAI SDK pointed at the runtime.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { createAnthropicFake } from '../fakes/anthropic.js';
import { createBedrockFake } from '../fakes/bedrock.js';
import { TEST_KEY } from '../fakes/harness.js';
import type { FakeUpstream } from '../fakes/server.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';

/** The Anthropic-wire provider's model. */
export const CLAUDE = 'claude-sonnet';
/** The Bedrock provider's model (Converse). */
export const BEDROCK_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

const model = (model_id: string) => ({
  model_id,
  model_type: 'llm',
  capabilities: ['streaming', 'tools', 'vision', 'json_mode'],
  pricing: { input_per_1m: 3, output_per_1m: 15 },
});

/** A weather function tool in the Responses shape. */
export const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

export interface ResponsesWorld {
  gw: TestGateway;
  anthropic: FakeUpstream;
  bedrock: FakeUpstream;
  /** Provider ids by model. */
  providers: Record<string, string>;
  /** The OpenAI SDK with the admin key (or another key). */
  openai(key?: string): OpenAI;
}

/**
 * Starts the world before the file's tests and stops it after them (`options.now` replaces the
 * gateway's clock). The returned object is filled in by `beforeAll`.
 */
export function useResponsesWorld(
  env: Record<string, string> = {},
  options: { now?: () => number } = {},
): ResponsesWorld {
  const world = { providers: {} } as ResponsesWorld;
  beforeAll(async () => {
    world.anthropic = createAnthropicFake();
    world.bedrock = createBedrockFake();
    const [anthropicOrigin, bedrockOrigin] = await Promise.all([
      world.anthropic.start(),
      world.bedrock.start(),
    ]);
    world.gw = await startTestGateway(
      {
        ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
        PROVIDER_MAX_RETRIES: '0',
        HEALTH_SCHEDULE: 'off',
        ...env,
      },
      options,
    );
    const gw = world.gw;
    world.providers[CLAUDE] = await seedProvider(
      gw,
      {
        name: 'fake-anthropic',
        provider_type: 'anthropic',
        base_url: anthropicOrigin,
        service_types: ['llm'],
      },
      { apiKey: TEST_KEY, models: [model(CLAUDE)] },
    );
    world.providers[BEDROCK_MODEL] = await seedProvider(
      gw,
      {
        name: 'fake-bedrock',
        provider_type: 'bedrock',
        base_url: bedrockOrigin,
        service_types: ['llm'],
        metadata: { region: 'eu-west-1' },
      },
      { apiKey: TEST_KEY, models: [model(BEDROCK_MODEL)] },
    );
    world.openai = (key = gw.adminKey) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  afterAll(async () => {
    await world.gw?.stop();
    await Promise.all([world.anthropic?.stop(), world.bedrock?.stop()]);
  });
  return world;
}

/** The text of every user turn the upstream received, in order (Anthropic or Converse body). */
export function userTexts(body: unknown): string[] {
  const messages = (body as { messages: Array<{ role: string; content: unknown }> }).messages;
  return messages
    .filter((m) => m.role === 'user')
    .map((m) =>
      typeof m.content === 'string'
        ? m.content
        : (m.content as Array<{ text?: string }>).map((b) => b.text ?? '').join(''),
    );
}
