import type { EmbeddingsRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { embeddingsRoutes } from '../../lib/routes/ai/embeddings.js';
import { serveEmbeddings } from '../../lib/services/ai/operations.js';

export const handler = defineHandler<EmbeddingsRequest>(embeddingsRoutes, serveEmbeddings);
