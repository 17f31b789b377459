import type { Route } from '../types.js';
import { speechRoute, transcriptionsRoute } from './audio.js';
import { chatRoutes } from './chat.js';
import { countTokensRoute } from './count-tokens.js';
import { embeddingsRoutes } from './embeddings.js';
import { imageGenerationsRoute } from './images.js';
import { messagesRoute } from './messages.js';
import { usableModelsRoute } from './models.js';
import { moderationsRoute } from './moderations.js';
import { rerankRoutes } from './rerank.js';
import { responsesRoute } from './responses.js';
import { storedResponseRoutes } from './stored-responses.js';

/**
 * AI operations in OpenAI's formats (and Anthropic's Messages API), served by whichever provider
 * the route resolves. The brief's `/api/providers/*` paths are served by the same functions as the
 * SDK-compatible `/v1/*` paths. One module per function, so a function's bundle carries only its own
 * routes and their schemas.
 */
export const aiRoutes: Route[] = [
  ...chatRoutes,
  messagesRoute,
  ...embeddingsRoutes,
  ...rerankRoutes,
  speechRoute,
  transcriptionsRoute,
  usableModelsRoute,
  countTokensRoute,
  imageGenerationsRoute,
  moderationsRoute,
  responsesRoute,
  ...storedResponseRoutes,
];
