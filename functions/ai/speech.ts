import type { SpeechRequest } from '../../lib/ai/types.js';
import { serveSpeech } from '../../lib/endpoints/ai/operations.js';
import { defineHandler } from '../../lib/http/handler.js';
import { speechRoute } from '../../lib/routes/ai/audio.js';

export const handler = defineHandler<SpeechRequest>(speechRoute, serveSpeech);
