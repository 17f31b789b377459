import type { InputItemsQuery } from '../../lib/ai/schemas/responses-stored.js';
import { serveStoredResponse } from '../../lib/endpoints/ai/stored-responses.js';
import { defineHandler } from '../../lib/http/handler.js';
import { storedResponseRoutes } from '../../lib/routes/ai/stored-responses.js';

export const handler = defineHandler<unknown, InputItemsQuery | undefined, { id: string }>(
  storedResponseRoutes,
  serveStoredResponse,
);
