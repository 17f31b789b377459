import { imageGenerationRequestSchema } from '../../ai/schemas/images.js';
import type { Route } from '../types.js';
import { aiRoute } from './common.js';

export const imageGenerationsRoute: Route = aiRoute(
  '/v1/images/generations',
  'ai/images',
  'Image generation (OpenAI format; b64_json or url as the provider gives them)',
  imageGenerationRequestSchema,
);
