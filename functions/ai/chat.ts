import type { ChatCompletionRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { chatRoutes } from '../../lib/routes/ai/chat.js';
import { serveChat } from '../../lib/services/ai/chat.js';

export const handler = defineHandler<ChatCompletionRequest>(chatRoutes, serveChat);
