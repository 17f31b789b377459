import type { SpeechRequest } from '../../lib/ai/types.js';
import { defineHandler } from '../../lib/http/handler.js';
import { serveSpeech } from '../../lib/services/ai/operations.js';

export const handler = defineHandler<SpeechRequest>('POST /v1/audio/speech', serveSpeech);
