import type { EmbeddingsRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { serveEmbeddings } from '../../lib/services/ai/operations.js';

export const handler = defineHandler<EmbeddingsRequest>('POST /api/providers/embeddings', serveEmbeddings);
