import type { TranscriptionRequest } from '../../lib/ai/types.js';
import { serveTranscription } from '../../lib/endpoints/ai/operations.js';
import { defineHandler } from '../../lib/http/handler.js';
import { transcriptionsRoute } from '../../lib/routes/ai/audio.js';

export const handler = defineHandler<TranscriptionRequest>(transcriptionsRoute, serveTranscription);
