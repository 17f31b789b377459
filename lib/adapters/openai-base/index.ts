/**
 * The shared base of every OpenAI-compatible host (OpenAI itself, the Hugging Face router, vLLM,
 * Ollama, LM Studio, Azure-style deployments): a provider composes it with a few options.
 */
import type { ChatCompletionRequest } from '../../ai/types.js';
import type { CallContext, HttpChatWire, HttpProviderSpec } from '../contract.js';
import { createHttpAdapter } from '../http-adapter.js';
import { speechWire, transcriptionWire } from './audio.js';
import { embeddingsWire, rerankWire } from './embeddings.js';
import { openAIErrorFacts } from './errors.js';
import { imagesWire, moderationWire } from './images.js';
import type { OpenAICompatibleOptions } from './options.js';
import { chatRequest } from './request.js';
import { chatResponse } from './response.js';
import { openAIStreamMapper } from './stream.js';

export { bearerAuth, flexibleAuth } from './api.js';
export { openAIErrorFacts } from './errors.js';
export type { OpenAICompatibleOptions } from './options.js';

/** The chat wire of an OpenAI-compatible host. */
export function openAIChatWire(options: OpenAICompatibleOptions): HttpChatWire {
  return {
    request: (ctx: CallContext, request: ChatCompletionRequest, stream: boolean) =>
      chatRequest(ctx, request, stream, options),
    response: (ctx, body) => chatResponse(ctx, body),
    streamMapper: (ctx) => openAIStreamMapper(ctx),
  };
}

/** The declarative spec of an OpenAI-compatible host. */
export function openAICompatibleSpec(options: OpenAICompatibleOptions): HttpProviderSpec {
  const spec: HttpProviderSpec = {
    type: options.type,
    baseUrlRule: options.baseUrlRule,
    authHeaders: options.authHeaders,
    errorFacts: openAIErrorFacts,
    chat: openAIChatWire(options),
  };
  if (options.defaultBaseUrl !== undefined) spec.defaultBaseUrl = options.defaultBaseUrl;
  if (options.operations.embeddings) spec.embeddings = embeddingsWire(options);
  if (options.operations.rerank) spec.rerank = rerankWire(options);
  if (options.operations.speech) spec.speech = speechWire(options);
  if (options.operations.transcription) spec.transcription = transcriptionWire(options);
  if (options.operations.images) spec.images = imagesWire(options);
  if (options.operations.moderation) spec.moderation = moderationWire(options);
  return spec;
}

/** An adapter for an OpenAI-compatible host. */
export function createOpenAICompatibleAdapter(options: OpenAICompatibleOptions) {
  return createHttpAdapter(openAICompatibleSpec(options));
}
