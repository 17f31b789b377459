/**
 * The wire-fidelity rig: the real local runtime in front of one fake upstream per provider type,
 * each provider holding the models recordings are replayed under, priced as `data/default-catalog.json`
 * prices them (so a replayed call's cost is checked at the catalog's prices), and the official SDKs
 * pointed at the gateway. A test scripts a fake with a recording (`replay`), calls the gateway as a
 * client would, and reads what it counted (`nextUsage`).
 */
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { expect, vi } from 'vitest';
import { keys, usageShards } from '../../lib/store/keys.js';
import { createAnthropicFake } from '../fakes/anthropic.js';
import { createBedrockFake } from '../fakes/bedrock.js';
import { createCohereFake } from '../fakes/cohere.js';
import { TEST_KEY } from '../fakes/harness.js';
import { createHuggingFaceRouterFake, createTeiFake } from '../fakes/huggingface.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { startTestGateway, type TestGateway } from './runtime.js';

type Json = Record<string, any>;
const CATALOG = JSON.parse(
  readFileSync(new URL('../../data/default-catalog.json', import.meta.url), 'utf8'),
) as { providers: Array<{ name: string; models: Json[] }> };

/** A model as the catalog lists it (review-only fields removed), to add to a provider. */
export function catalogModel(provider: string, modelId: string): Json {
  const entry = CATALOG.providers
    .find((p) => p.name === provider)
    ?.models.find((m) => m.model_id === modelId);
  if (entry === undefined) throw new Error(`${provider}/${modelId} is not in the default catalog`);
  const { unverified: _u, unverified_prices: _p, ...model } = entry;
  return model;
}

/** The catalog price of a model (for expected costs). */
export function catalogPrice(provider: string, modelId: string): Json {
  return catalogModel(provider, modelId).pricing as Json;
}

type FakeName = 'openai' | 'anthropic' | 'cohere' | 'bedrock' | 'router' | 'tei';

interface ProviderSeed {
  fake: FakeName;
  body: (origin: string) => Json;
  models: Json[];
}

const llm = (model_id: string, pricing?: Json) => ({
  model_id,
  model_type: 'llm',
  capabilities: ['streaming', 'tools', 'vision', 'json_mode'],
  ...(pricing ? { pricing: { ...pricing, effective_from: '2025-01-01T00:00:00.000Z' } } : {}),
});

/** Bedrock lists Claude Haiku 4.5 at Anthropic's prices; Nova 2 Lite is priced here for the test only. */
const HAIKU_ON_BEDROCK = {
  input_per_1m: 1,
  output_per_1m: 5,
  cached_input_per_1m: 0.1,
  cache_write_per_1m: 1.25,
};

const SEEDS: Record<string, ProviderSeed> = {
  openai: {
    fake: 'openai',
    body: (origin) => ({
      provider_type: 'openai',
      base_url: `${origin}/v1`,
      service_types: ['llm', 'embedding', 'speech'],
    }),
    models: ['gpt-4o', 'gpt-6-luna', 'text-embedding-3-small', 'whisper-1'].map((id) =>
      catalogModel('openai', id),
    ),
  },
  anthropic: {
    fake: 'anthropic',
    body: (origin) => ({ provider_type: 'anthropic', base_url: origin, service_types: ['llm', 'vision'] }),
    models: [catalogModel('anthropic', 'claude-haiku-4-5-20251001')],
  },
  cohere: {
    fake: 'cohere',
    body: (origin) => ({
      provider_type: 'cohere',
      base_url: origin,
      service_types: ['llm', 'embedding', 'rerank'],
    }),
    models: ['command-a-03-2025', 'embed-v4.0', 'rerank-v3.5'].map((id) => catalogModel('cohere', id)),
  },
  bedrock: {
    fake: 'bedrock',
    body: (origin) => ({
      provider_type: 'bedrock',
      base_url: origin,
      service_types: ['llm'],
      metadata: { region: 'us-east-1' },
    }),
    models: [
      llm('us.anthropic.claude-haiku-4-5-20251001-v1:0', HAIKU_ON_BEDROCK),
      llm('us.amazon.nova-2-lite-v1:0'),
    ],
  },
  huggingface: {
    fake: 'router',
    body: (origin) => ({ provider_type: 'huggingface', base_url: `${origin}/v1`, service_types: ['llm'] }),
    models: [
      'deepseek-ai/DeepSeek-R1',
      'meta-llama/llama-3.1-8b-instruct',
      'meta-llama/Llama-4-Scout-17B-16E-Instruct',
    ].map((id) => llm(id)),
  },
  tei: {
    fake: 'tei',
    body: (origin) => ({
      provider_type: 'huggingface',
      base_url: origin,
      service_types: ['embedding', 'rerank'],
      metadata: { api_format: 'tei' },
    }),
    models: [
      { model_id: 'BAAI/bge-small-en-v1.5', model_type: 'embedding', capabilities: [] },
      { model_id: 'BAAI/bge-reranker-large', model_type: 'rerank', capabilities: [] },
    ],
  },
};

/** What the gateway counted for one provider × model (summed over hourly counters and shards). */
export interface CountedUsage {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  audio_ms: number;
  cost_nanos: number;
}

/** What a client folds from a streamed chat completion: the text, the usage chunk, every chunk. */
export interface FoldedStream {
  text: string;
  usage: OpenAI.CompletionUsage | null | undefined;
  chunks: OpenAI.ChatCompletionChunk[];
}

/** Streams a chat completion with the OpenAI SDK (usage asked for) and folds it as a client would. */
export async function streamChat(
  openai: OpenAI,
  body: { model: string; messages: OpenAI.ChatCompletionMessageParam[] },
): Promise<FoldedStream> {
  const stream = await openai.chat.completions.create({
    ...body,
    stream: true,
    stream_options: { include_usage: true },
  });
  const folded: FoldedStream = { text: '', usage: undefined, chunks: [] };
  for await (const chunk of stream) {
    folded.chunks.push(chunk);
    folded.text += chunk.choices[0]?.delta.content ?? '';
    folded.usage = chunk.usage ?? folded.usage;
  }
  return folded;
}

/** SDK clients (and the raw key) of one fresh API key. */
export interface Clients {
  key: string;
  openai: OpenAI;
  anthropic: Anthropic;
}

export interface WireRig {
  gw: TestGateway;
  fakes: Record<FakeName, FakeUpstream>;
  /** Provider ids by seed name (`openai`, `anthropic`, `cohere`, `bedrock`, `huggingface`, `tei`). */
  providers: Record<string, string>;
  /** Clients on the admin key. */
  openai: OpenAI;
  anthropic: Anthropic;
  /**
   * Runs `call` with clients of a fresh API key, waits until the gateway has written its usage, and
   * returns what that key's calls added to the counters of provider × model (a fresh key keeps
   * usage of earlier calls, still being written after their streams ended, out of the figures).
   */
  usageOf(
    provider: string,
    model: string,
    call: (clients: Clients) => Promise<unknown>,
  ): Promise<CountedUsage>;
  stop(): Promise<void>;
}

const FIELDS = [
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'audio_ms',
  'cost_nanos',
] as const;

/** Starts the fakes, the gateway (retries: `PROVIDER_MAX_RETRIES`, default 3) and the SDK clients. */
export async function startWireRig(env: Record<string, string> = {}): Promise<WireRig> {
  const fakes: Record<FakeName, FakeUpstream> = {
    openai: createOpenAIFake(),
    anthropic: createAnthropicFake(),
    cohere: createCohereFake(),
    bedrock: createBedrockFake(),
    router: createHuggingFaceRouterFake(),
    tei: createTeiFake(),
  };
  await Promise.all(Object.values(fakes).map((fake) => fake.start()));
  const gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', ...env });
  const providers: Record<string, string> = {};
  for (const [name, seed] of Object.entries(SEEDS)) {
    const created = await gw.call('POST', '/api/providers', {
      body: { name, ...seed.body(fakes[seed.fake].origin) },
    });
    expect(created.status, created.text).toBe(201);
    providers[name] = created.json.id;
    const credential = await gw.call('POST', `/api/providers/${created.json.id}/credentials`, {
      body: { credential_type: 'api_key', credential_value: TEST_KEY },
    });
    expect(credential.status, credential.text).toBe(201);
    for (const model of seed.models) {
      const added = await gw.call('POST', `/api/providers/${created.json.id}/models`, { body: model });
      expect(added.status, added.text).toBe(201);
    }
  }
  async function counted(provider: string, model: string, keyId: string): Promise<CountedUsage> {
    const items = (
      await Promise.all(
        usageShards().map((shard) => {
          const range = keys.usageRangeOfProvider(providers[provider]!, 'H', shard);
          return gw.runtime.deps.table.queryAll({ partition: range.pk, skPrefix: range.prefix });
        }),
      )
    ).flat();
    const sum = Object.fromEntries(FIELDS.map((f) => [f, 0])) as unknown as CountedUsage;
    for (const item of items.filter((i) => i.model_id === model && i.api_key_id === keyId)) {
      for (const f of FIELDS) sum[f] += Number(item[f] ?? 0);
    }
    return sum;
  }
  const clients = (key: string): Clients => ({
    key,
    openai: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 }),
  });
  return {
    gw,
    fakes,
    providers,
    ...clients(gw.adminKey),
    async usageOf(provider, model, call) {
      const minted = await gw.call('POST', '/api/keys', { body: { name: 'wire', role: 'invoke' } });
      expect(minted.status, minted.text).toBe(201);
      await call(clients(minted.json.key));
      let usage: CountedUsage | undefined;
      await vi.waitFor(
        async () => {
          usage = await counted(provider, model, minted.json.id);
          expect(usage.requests).toBeGreaterThan(0);
        },
        { timeout: 5_000, interval: 20 },
      );
      return usage!;
    },
    async stop() {
      await gw.stop();
      await Promise.all(Object.values(fakes).map((fake) => fake.stop()));
    },
  };
}
