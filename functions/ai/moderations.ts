import type { ModerationRequest } from '../../lib/ai/types.js';
import { serveModerations } from '../../lib/endpoints/ai/operations.js';
import { defineHandler } from '../../lib/http/handler.js';
import { moderationsRoute } from '../../lib/routes/ai/moderations.js';

export const handler = defineHandler<Omit<ModerationRequest, 'model'> & { model?: string }>(
  moderationsRoute,
  serveModerations,
);
