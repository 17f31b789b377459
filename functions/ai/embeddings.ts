import type { EmbeddingsRequest } from '../../lib/ai/types.js';
import { serveEmbeddings } from '../../lib/endpoints/ai/operations.js';
import { defineHandler } from '../../lib/http/handler.js';
import { embeddingsRoutes } from '../../lib/routes/ai/embeddings.js';

export const handler = defineHandler<EmbeddingsRequest>(embeddingsRoutes, serveEmbeddings);
