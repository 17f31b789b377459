import type { TranscriptionRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { transcriptionsRoute } from '../../lib/routes/ai/audio.js';
import { serveTranscription } from '../../lib/services/ai/operations.js';

export const handler = defineHandler<TranscriptionRequest>(transcriptionsRoute, serveTranscription);
