/**
 * OpenAI (`https://api.openai.com/v1`): the canonical format itself, so the base is used as is:
 * chat, embeddings (base64 passed through), speech, transcription, image generation and moderation.
 * OpenAI has no rerank.
 */
import { bearerAuth, createOpenAICompatibleAdapter } from '../openai-base/index.js';

/** The `openai` adapter. */
export const openaiAdapter = createOpenAICompatibleAdapter({
  type: 'openai',
  baseUrlRule: 'optional',
  defaultBaseUrl: 'https://api.openai.com/v1',
  developerRole: 'developer',
  maxTokensField: 'as_given',
  base64Embeddings: true,
  authHeaders: bearerAuth,
  operations: {
    embeddings: true,
    rerank: false,
    speech: true,
    transcription: true,
    images: true,
    moderation: true,
  },
});
