/**
 * The world of the response-cache tests: the local runtime with the cache on (`read_write`), a
 * ticking clock the test can move (TTL expiry), and one OpenAI-wire provider behind its fake
 * upstream, priced so that hits have a cost saved.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { TEST_KEY } from '../fakes/harness.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { TestClock } from '../support/clock.js';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';

export const CHAT_MODEL = 'gpt-4o';
export const EMBEDDING_MODEL = 'text-embedding-3-small';

export interface CacheWorld {
  gw: TestGateway;
  upstream: FakeUpstream;
  clock: TestClock;
  providerId: string;
  /** The official OpenAI SDK against the runtime, with the admin key or another key. */
  openai(key?: string, headers?: Record<string, string>): OpenAI;
  /** Creates an API key (admin-made) and returns its id and secret. */
  newKey(body?: Record<string, unknown>): Promise<{ id: string; key: string }>;
  /** `gw.call`, then waits until the invocation's after-response work (the cache write) has settled. */
  call: TestGateway['call'];
  /** Chat calls the upstream received so far. */
  chatCalls(): number;
}

/** Starts the world before the file's tests and stops it after them. */
export function useCacheWorld(env: Record<string, string> = {}): CacheWorld {
  const world = {} as CacheWorld;
  beforeAll(async () => {
    world.clock = TestClock.wall();
    world.upstream = createOpenAIFake();
    const origin = await world.upstream.start();
    world.gw = await startTestGateway(
      {
        ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
        PROVIDER_MAX_RETRIES: '0',
        HEALTH_SCHEDULE: 'off',
        CACHE_MODE: 'read_write',
        ...env,
      },
      { now: world.clock.now },
    );
    const gw = world.gw;
    world.providerId = await seedProvider(
      gw,
      {
        name: 'fake-openai',
        provider_type: 'openai',
        base_url: `${origin}/v1`,
        service_types: ['llm', 'embedding'],
      },
      {
        apiKey: TEST_KEY,
        models: [
          {
            model_id: CHAT_MODEL,
            model_type: 'llm',
            capabilities: ['streaming', 'tools'],
            pricing: { input_per_1m: 2.5, output_per_1m: 10 },
          },
          { model_id: EMBEDDING_MODEL, model_type: 'embedding', pricing: { input_per_1m: 0.02 } },
        ],
      },
    );
    world.openai = (key = gw.adminKey, headers = {}) =>
      new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0, defaultHeaders: headers });
    world.newKey = async (body = {}) => {
      const res = await gw.call('POST', '/api/keys', {
        body: { name: 'cache-test', role: 'invoke', ...body },
      });
      if (res.status !== 201) throw new Error(`key: ${res.status} ${res.text}`);
      return { id: res.json.id as string, key: res.json.key as string };
    };
    world.call = async (method, path, options) => {
      const res = await gw.call(method, path, options);
      await gw.runtime.idle();
      return res;
    };
    world.chatCalls = () => world.upstream.to('/v1/chat/completions').length;
  });
  afterAll(async () => {
    await world.gw?.stop();
    await world.upstream?.stop();
  });
  return world;
}

/** A chat body asking `text` of the world's model. */
export function chatBody(text: string, extra: Record<string, unknown> = {}) {
  return { model: CHAT_MODEL, messages: [{ role: 'user' as const, content: text }], ...extra };
}
