import { anthropicMessagesRequestSchema } from '../../ai/schemas/anthropic-messages.js';
import type { Route } from '../types.js';
import { streamingAiRoute } from './common.js';

export const messagesRoute: Route = {
  ...streamingAiRoute(
    '/v1/messages',
    'ai/messages',
    'Anthropic Messages API, served by any provider',
    anthropicMessagesRequestSchema,
  ),
  errorStyle: 'anthropic',
};
