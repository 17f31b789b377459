import type { ChatCompletionRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { serveChat } from '../../lib/services/ai/chat.js';

export const handler = defineHandler<ChatCompletionRequest>('POST /v1/chat/completions', serveChat);
