import type { TranscriptionRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { serveTranscription } from '../../lib/services/ai/operations.js';

export const handler = defineHandler<TranscriptionRequest>(
  'POST /v1/audio/transcriptions',
  serveTranscription,
);
