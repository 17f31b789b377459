import { moderationRequestSchema } from '../../ai/schemas/images.js';
import type { Route } from '../types.js';
import { aiRoute } from './common.js';

/** No Bedrock model moderates, so this function is not granted Bedrock. */
export const moderationsRoute: Route = {
  ...aiRoute('/v1/moderations', 'ai/moderations', 'Moderation (OpenAI format)', moderationRequestSchema),
  uses: ['credentials:decrypt'],
};
