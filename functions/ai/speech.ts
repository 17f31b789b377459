import type { SpeechRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { speechRoute } from '../../lib/routes/ai/audio.js';
import { serveSpeech } from '../../lib/services/ai/operations.js';

export const handler = defineHandler<SpeechRequest>(speechRoute, serveSpeech);
