import { anthropicMessagesRequestSchema } from '../../ai/schemas/anthropic-messages.js';
import type { Route } from '../types.js';
import { AI_CACHED_CALL_WRITES, streamingAiRoute } from './common.js';

export const messagesRoute: Route = {
  ...streamingAiRoute(
    '/v1/messages',
    'ai/messages',
    'Anthropic Messages API, served by any provider',
    anthropicMessagesRequestSchema,
    AI_CACHED_CALL_WRITES,
  ),
  errorStyle: 'anthropic',
};
