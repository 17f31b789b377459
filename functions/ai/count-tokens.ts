import type { AnthropicCountTokensRequest } from '../../lib/ai/schemas/anthropic-messages.js';
import { serveCountTokens } from '../../lib/endpoints/ai/count-tokens.js';
import { defineHandler } from '../../lib/http/handler.js';
import { countTokensRoute } from '../../lib/routes/ai/count-tokens.js';

export const handler = defineHandler<AnthropicCountTokensRequest>(countTokensRoute, serveCountTokens);
