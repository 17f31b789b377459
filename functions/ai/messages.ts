import type { AnthropicMessagesRequest } from '../../lib/ai/schemas/anthropic-messages.js';
import { serveMessages } from '../../lib/endpoints/ai/messages.js';
import { defineHandler } from '../../lib/http/handler.js';
import { messagesRoute } from '../../lib/routes/ai/messages.js';

export const handler = defineHandler<AnthropicMessagesRequest>(messagesRoute, serveMessages);
