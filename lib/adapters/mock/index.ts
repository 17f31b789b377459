/**
 * The built-in mock provider: in-process, never connects anywhere, needs no credential. It echoes the
 * last user message, calls a tool when the request requires one, returns deterministic embeddings,
 * rerank scores, a short silent WAV, a fixed transcription, tiny images and moderation verdicts
 * (`media.ts`), with fixed usage; latency and a deterministic failure rate come from metadata (see
 * `behaviour.ts`). Everything it returns is marked as mock, so it cannot be mistaken for a model's
 * answer.
 */
import { type ChunkBase, makeChunk, makeCompletion } from '../../ai/chat-builders.js';
import { inputCount, textInputs } from '../../ai/embedding-encoding.js';
import { embeddingsResponse } from '../../ai/embeddings-response.js';
import { documentText, rerankResponse } from '../../ai/rerank-response.js';
import type { ChatCompletionChunk, ChatCompletionRequest, ToolCall } from '../../ai/types.js';
import type { NormalizedUsage } from '../../ai/usage.js';
import { unsupported } from '../../upstream/errors.js';
import type { AdapterChatStream, CallContext, ChatResult, ProviderAdapter } from '../contract.js';
import { MOCK, mockBehaviour, mockPrelude } from './behaviour.js';
import { mockImages, mockModeration } from './media.js';
import { mockRelevance, mockReplyText, mockToolCall, mockVector, silentWav, wavPieces } from './replies.js';

function start(ctx: CallContext) {
  const behaviour = mockBehaviour(ctx.provider.metadata);
  const usage: NormalizedUsage = {
    input_tokens: behaviour.inputTokens,
    output_tokens: behaviour.outputTokens,
    cached_input_tokens: 0,
  };
  const base: ChunkBase = {
    id: `mock-${ctx.deps.now().toString(36)}`,
    created: Math.floor(ctx.deps.now() / 1000),
    model: ctx.model,
  };
  return { behaviour, usage, base };
}

async function complete(ctx: CallContext, request: ChatCompletionRequest): Promise<ChatResult> {
  const { behaviour, usage, base } = start(ctx);
  if ((request.n ?? 1) > 1) throw unsupported(MOCK, 'the mock provider does not support n > 1');
  await mockPrelude(ctx, behaviour);
  const call = mockToolCall(request, base.id);
  const message =
    call === undefined
      ? { role: 'assistant' as const, content: mockReplyText(request) }
      : { role: 'assistant' as const, content: null, tool_calls: [call] };
  const response = makeCompletion(base, message, call === undefined ? 'stop' : 'tool_calls', usage);
  response.system_fingerprint = 'mock';
  return { response, usage };
}

async function* replay(
  base: ChunkBase,
  text: string,
  call: ToolCall | undefined,
): AsyncGenerator<ChatCompletionChunk, void> {
  yield makeChunk(base, { role: 'assistant', content: '' });
  if (call !== undefined) {
    yield makeChunk(base, {
      tool_calls: [
        { index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
      ],
    });
    yield makeChunk(base, { tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] });
    yield makeChunk(base, {}, 'tool_calls');
    return;
  }
  for (const piece of text.match(/\S+\s*/g) ?? []) yield makeChunk(base, { content: piece });
  yield makeChunk(base, {}, 'stop');
}

async function stream(ctx: CallContext, request: ChatCompletionRequest): Promise<AdapterChatStream> {
  const { behaviour, usage, base } = start(ctx);
  if ((request.n ?? 1) > 1) throw unsupported(MOCK, 'the mock provider does not support n > 1');
  await mockPrelude(ctx, behaviour);
  return { chunks: replay(base, mockReplyText(request), mockToolCall(request, base.id)), usage: () => usage };
}

/** The mock adapter: every operation, in-process, deterministic, marked as mock. */
export const mockAdapter: ProviderAdapter = {
  type: 'mock',
  baseUrlRule: 'none',
  supports: () => true,
  chat: { complete, stream },
  images: mockImages,
  moderation: mockModeration,
  async embeddings(ctx, request) {
    const { behaviour, usage } = start(ctx);
    const texts = textInputs(request.input) ?? [JSON.stringify(request.input)];
    await mockPrelude(ctx, behaviour);
    const dimensions = request.dimensions ?? behaviour.dimensions;
    const vectors = texts.map((text) => mockVector(text, dimensions));
    const used = { ...usage, output_tokens: 0 };
    const response = embeddingsResponse({
      provider: MOCK,
      model: ctx.model,
      vectors,
      expected: inputCount(request.input),
      format: request.encoding_format ?? 'float',
      usage: used,
    });
    return { response, usage: used };
  },
  async rerank(ctx, request) {
    const { behaviour, usage, base } = start(ctx);
    await mockPrelude(ctx, behaviour);
    const results = request.documents.map((doc, index) => ({
      index,
      relevance_score: mockRelevance(request.query, documentText(doc)),
    }));
    const used = { ...usage, output_tokens: 0 };
    return {
      response: rerankResponse({
        id: base.id,
        model: ctx.model,
        request,
        results,
        usage: { total_tokens: used.input_tokens },
      }),
      usage: used,
    };
  },
  async speech(ctx, request) {
    const { behaviour } = start(ctx);
    await mockPrelude(ctx, behaviour);
    const usage: NormalizedUsage = {
      input_tokens: 0,
      output_tokens: 0,
      cached_input_tokens: 0,
      characters: [...request.input].length,
    };
    return { audio: { audio: wavPieces(silentWav()), content_type: 'audio/wav' }, usage };
  },
  async transcription(ctx, request) {
    const { behaviour } = start(ctx);
    await mockPrelude(ctx, behaviour);
    const text = `[mock] transcription of ${request.file.filename} (${request.file.data.length} bytes)`;
    const usage: NormalizedUsage = {
      input_tokens: 0,
      output_tokens: 0,
      cached_input_tokens: 0,
      audio_seconds: 1,
    };
    const format = request.response_format ?? 'json';
    return {
      response: { text, ...(format === 'json' || format === 'verbose_json' ? {} : { body_text: text }) },
      usage,
    };
  },
};
