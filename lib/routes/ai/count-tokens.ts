import { anthropicCountTokensRequestSchema } from '../../ai/schemas/anthropic-messages.js';
import type { Route } from '../types.js';
import { aiRoute } from './common.js';

/** Anthropic's token count for any model (the provider's own count where it has one). */
export const countTokensRoute: Route = {
  ...aiRoute(
    '/v1/messages/count_tokens',
    'ai/count-tokens',
    'Count the input tokens of a Messages request, for any model (x-gateway-token-count: exact or estimated)',
    anthropicCountTokensRequestSchema,
  ),
  errorStyle: 'anthropic',
  // Not an AI call of its own (no usage, no cost; clients count before most calls): no log record.
  requestLog: false,
  // A count records no usage and moves no circuit: admission only, and the credential's touch.
  writes: ['rateWindow', 'credential'],
};
