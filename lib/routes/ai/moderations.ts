import { moderationRequestSchema } from '../../ai/schemas/images.js';
import type { Route } from '../types.js';
import { aiRoute } from './common.js';

export const moderationsRoute: Route = aiRoute(
  '/v1/moderations',
  'ai/moderations',
  'Moderation (OpenAI format)',
  moderationRequestSchema,
);
