import type { ImageGenerationRequest } from '../../lib/ai/types.js';
import { serveImages } from '../../lib/endpoints/ai/operations.js';
import { defineHandler } from '../../lib/http/handler.js';
import { imageGenerationsRoute } from '../../lib/routes/ai/images.js';

export const handler = defineHandler<ImageGenerationRequest>(imageGenerationsRoute, serveImages);
