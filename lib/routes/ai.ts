import * as z from 'zod';
import { anthropicMessagesRequestSchema } from '../ai/schemas/anthropic-messages.js';
import { chatCompletionRequestSchema } from '../ai/schemas/chat.js';
import {
  embeddingsRequestSchema,
  MAX_TRANSCRIPTION_BYTES,
  rerankRequestSchema,
  speechRequestSchema,
  transcriptionFieldsSchema,
} from '../ai/schemas/operations.js';
import type { Route } from './types.js';

/** Lambda's synchronous payload limit: the largest request an AI route can take (images inline). */
export const AI_MAX_BODY_BYTES = 6_000_000;

const modelList = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
  ),
});

const chat = (path: string, fn: string, summary: string): Route => ({
  method: 'POST',
  path,
  fn,
  access: 'invoke',
  streams: true,
  summary,
  tag: 'ai',
  uses: ['bedrock', 'credentials:decrypt'],
  maxBodyBytes: AI_MAX_BODY_BYTES,
  body: chatCompletionRequestSchema,
  successStatus: 200,
});

const operation = (path: string, fn: string, summary: string, body: z.ZodType): Route => ({
  method: 'POST',
  path,
  fn,
  access: 'invoke',
  streams: false,
  summary,
  tag: 'ai',
  uses: ['bedrock', 'credentials:decrypt'],
  maxBodyBytes: AI_MAX_BODY_BYTES,
  body,
  successStatus: 200,
});

/**
 * AI operations in OpenAI's formats (and Anthropic's Messages API), served by whichever provider
 * the route resolves. The brief's `/api/providers/*` paths and the SDK-compatible `/v1/*` paths run
 * the same handlers' code.
 */
export const aiRoutes: Route[] = [
  chat('/v1/chat/completions', 'ai/chat', 'Chat completion (OpenAI format; SSE when stream is true)'),
  chat(
    '/api/providers/chat',
    'ai/chat-brief',
    'Chat completion (the brief path; same as /v1/chat/completions)',
  ),
  {
    ...chat('/v1/messages', 'ai/messages', 'Anthropic Messages API, served by any provider'),
    body: anthropicMessagesRequestSchema,
    errorStyle: 'anthropic',
  },
  operation('/v1/embeddings', 'ai/embeddings', 'Embeddings (OpenAI format)', embeddingsRequestSchema),
  operation(
    '/api/providers/embeddings',
    'ai/embeddings-brief',
    'Embeddings (the brief path; same as /v1/embeddings)',
    embeddingsRequestSchema,
  ),
  operation('/v1/rerank', 'ai/rerank', 'Rerank documents against a query', rerankRequestSchema),
  operation(
    '/api/providers/rerank',
    'ai/rerank-brief',
    'Rerank (the brief path; same as /v1/rerank)',
    rerankRequestSchema,
  ),
  operation('/v1/audio/speech', 'ai/speech', 'Text to speech (binary audio)', speechRequestSchema),
  {
    ...operation(
      '/v1/audio/transcriptions',
      'ai/transcriptions',
      'Speech to text (multipart/form-data upload: file, model, language, prompt, response_format)',
      transcriptionFieldsSchema,
    ),
    bodyType: 'multipart',
    // Lambda's 6 MB payload limit binds first, below OpenAI's 25 MB (larger uploads: see docs).
    maxBodyBytes: Math.min(AI_MAX_BODY_BYTES, MAX_TRANSCRIPTION_BYTES),
  },
  {
    method: 'GET',
    path: '/v1/models',
    fn: 'ai/models',
    access: 'invoke',
    streams: false,
    summary: 'Models this key can use (OpenAI list format)',
    tag: 'ai',
    response: modelList,
    successStatus: 200,
  },
];
