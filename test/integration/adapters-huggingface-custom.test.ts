import { describe, expect, it } from 'vitest';
import {
  invokeChat,
  invokeEmbeddings,
  invokeRerank,
  invokeSpeech,
  providerSupports,
} from '../../lib/adapters/invoke.js';
import {
  API_KEY,
  assemble,
  collect,
  providerRecord,
  TEST_KEY,
  useFakeUpstreams,
  userRequest,
} from '../fakes/harness.js';
import { createHuggingFaceRouterFake, createTeiFake } from '../fakes/huggingface.js';
import { createOpenAIFake } from '../fakes/openai.js';

const { router, tei, local, deps } = useFakeUpstreams({
  router: createHuggingFaceRouterFake(),
  tei: createTeiFake(),
  local: createOpenAIFake('/openai/deployments/gpt4o'),
});

describe('huggingface adapter: router (OpenAI-compatible)', () => {
  const provider = () => providerRecord('huggingface', `${router.origin}/v1`);

  it('chats through /v1/chat/completions with developer mapped to system and max_tokens', async () => {
    const request = userRequest('', {
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      max_completion_tokens: 30,
    });
    const result = await invokeChat({
      provider: provider(),
      model: 'meta-llama/Llama-3.3-70B-Instruct',
      request,
      credential: API_KEY,
      deps,
    });
    expect(router.last().headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(router.last().json).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      max_tokens: 30,
    });
    expect((router.last().json as Record<string, unknown>).max_completion_tokens).toBeUndefined();
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.response.choices[0]?.message.content).toBe('echo: hi');
  });

  it('streams', async () => {
    const result = await invokeChat({
      provider: provider(),
      model: 'm',
      request: userRequest('hello', { stream: true }),
      credential: API_KEY,
      deps,
    });
    if (!result.stream) throw new Error('expected a stream');
    expect(assemble(await collect(result.stream)).text).toBe('echo: hello');
  });

  it('does not serve rerank', () => {
    expect(providerSupports(provider(), 'rerank')).toBe(false);
    expect(providerSupports(provider(), 'chat')).toBe(true);
  });
});

describe('huggingface adapter: TEI endpoint (metadata.api_format = tei)', () => {
  const provider = () => providerRecord('huggingface', tei.origin, { metadata: { api_format: 'tei' } });

  it('embeds through /embed with usage from x-compute-tokens', async () => {
    const result = await invokeEmbeddings({
      provider: provider(),
      model: 'BAAI/bge-small-en-v1.5',
      request: { model: 'e', input: ['a', 'b'] },
      credential: API_KEY,
      deps,
    });
    expect(tei.last().path).toBe('/embed');
    expect(tei.last().json).toEqual({ inputs: ['a', 'b'], normalize: true, truncate: false });
    expect(result.response.data.map((d) => d.embedding)).toEqual([
      [0.5, 0.5, 0.5],
      [1.5, 0.5, 0.5],
    ]);
    expect(result.usage?.input_tokens).toBe(8);
  });

  it('reranks through /rerank, sorted and cut to top_n', async () => {
    const result = await invokeRerank({
      provider: provider(),
      model: 'BAAI/bge-reranker-base',
      request: { model: 'r', query: 'paris', documents: ['London', 'Paris in spring', 'Rome'], top_n: 2 },
      credential: API_KEY,
      deps,
    });
    expect(tei.last().json).toEqual({
      query: 'paris',
      texts: ['London', 'Paris in spring', 'Rome'],
      raw_scores: false,
      return_text: false,
      truncate: false,
    });
    expect(result.response.results.map((r) => r.index)).toEqual([1, 0]);
    expect(result.usage?.input_tokens).toBe(18);
  });

  it('needs its endpoint as base_url (the router serves no /embed)', async () => {
    const noEndpoint = providerRecord('huggingface', null, { metadata: { api_format: 'tei' } });
    await expect(
      invokeEmbeddings({
        provider: noEndpoint,
        model: 'e',
        request: { model: 'e', input: 'x' },
        credential: API_KEY,
        deps,
      }),
    ).rejects.toMatchObject({ type: 'configuration' });
  });

  it('serves no chat', async () => {
    expect(providerSupports(provider(), 'chat')).toBe(false);
    await expect(
      invokeChat({ provider: provider(), model: 'm', request: userRequest('x'), credential: API_KEY, deps }),
    ).rejects.toMatchObject({ type: 'unsupported' });
    expect(tei.requests).toHaveLength(0);
  });
});

describe('custom adapter: any OpenAI-compatible server', () => {
  it('sends no auth header without a credential (Ollama, LM Studio)', async () => {
    const provider = providerRecord('custom', `${local.origin}/openai/deployments/gpt4o`);
    await invokeChat({
      provider,
      model: 'llama3',
      request: userRequest('hi'),
      credential: { type: 'api_key' },
      deps,
    });
    expect(local.last().headers.authorization).toBeUndefined();
  });

  it('speaks Azure style: api-key header and api-version query from metadata', async () => {
    const provider = providerRecord('custom', `${local.origin}/openai/deployments/gpt4o`, {
      metadata: { auth_header: 'api-key', api_version: '2024-10-21' },
    });
    const result = await invokeChat({
      provider,
      model: 'gpt-4o',
      request: userRequest('hi'),
      credential: API_KEY,
      deps,
    });
    expect(local.last().path).toBe('/openai/deployments/gpt4o/chat/completions');
    expect(local.last().query.get('api-version')).toBe('2024-10-21');
    expect(local.last().headers['api-key']).toBe(TEST_KEY);
    expect(local.last().headers.authorization).toBeUndefined();
    if (result.stream) throw new Error('expected a complete answer');
    expect(result.response.choices[0]?.message.content).toBe('echo: hi');
  });

  it('serves embeddings and speech on the same base', async () => {
    const provider = providerRecord('custom', `${local.origin}/openai/deployments/gpt4o`);
    const embeddings = await invokeEmbeddings({
      provider,
      model: 'nomic-embed',
      request: { model: 'e', input: 'x', encoding_format: 'base64' },
      credential: API_KEY,
      deps,
    });
    expect((local.last().json as Record<string, unknown>).encoding_format).toBe('float');
    expect(typeof embeddings.response.data[0]?.embedding).toBe('string');
    const speech = await invokeSpeech({
      provider,
      model: 'kokoro',
      request: { model: 's', input: 'hi', voice: 'af' },
      credential: API_KEY,
      deps,
    });
    expect(speech.response.content_type).toBe('audio/mpeg');
  });

  it('can stop asking for stream usage for servers that refuse stream_options', async () => {
    const provider = providerRecord('custom', `${local.origin}/openai/deployments/gpt4o`, {
      metadata: { stream_usage: false },
    });
    const result = await invokeChat({
      provider,
      model: 'm',
      request: userRequest('hi', { stream: true }),
      credential: API_KEY,
      deps,
    });
    if (!result.stream) throw new Error('expected a stream');
    expect(assemble(await collect(result.stream)).text).toBe('echo: hi');
    expect(local.last().json).toMatchObject({ stream: true });
    expect((local.last().json as Record<string, unknown>).stream_options).toBeUndefined();
    expect(result.stream.result?.usage).toBeNull();
  });

  it('is misconfigured without a base_url', async () => {
    const provider = providerRecord('custom', null);
    await expect(
      invokeChat({ provider, model: 'm', request: userRequest('x'), credential: API_KEY, deps }),
    ).rejects.toMatchObject({ type: 'configuration', retryable: false });
  });
});
