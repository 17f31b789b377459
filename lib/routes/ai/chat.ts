import { chatCompletionRequestSchema } from '../../ai/schemas/chat.js';
import type { Route } from '../types.js';
import { AI_CACHED_CALL_WRITES, streamingAiRoute } from './common.js';

export const chatCompletionsRoute: Route = streamingAiRoute(
  '/v1/chat/completions',
  'ai/chat',
  'Chat completion (OpenAI format; SSE when stream is true)',
  chatCompletionRequestSchema,
  AI_CACHED_CALL_WRITES,
);

/** The brief's path: the same function as `/v1/chat/completions`. */
export const chatBriefRoute: Route = {
  ...streamingAiRoute(
    '/api/providers/chat',
    'ai/chat',
    'Chat completion (the brief path; same as /v1/chat/completions)',
    chatCompletionRequestSchema,
    AI_CACHED_CALL_WRITES,
  ),
  operationId: 'ai_chat-brief',
};

/** Every route the chat function serves. */
export const chatRoutes: Route[] = [chatCompletionsRoute, chatBriefRoute];
