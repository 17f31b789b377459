import type { ChatCompletionRequest } from '../../lib/ai/types.js';
import { serveChat } from '../../lib/endpoints/ai/chat.js';
import { defineHandler } from '../../lib/http/handler.js';
import { chatRoutes } from '../../lib/routes/ai/chat.js';

export const handler = defineHandler<ChatCompletionRequest>(chatRoutes, serveChat);
