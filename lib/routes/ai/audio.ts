import {
  MAX_TRANSCRIPTION_BYTES,
  speechRequestSchema,
  transcriptionFieldsSchema,
} from '../../ai/schemas/operations.js';
import type { Route } from '../types.js';
import { AI_MAX_BODY_BYTES, aiRoute, streamingAiRoute } from './common.js';

/** Speech streams: the audio is passed on as the provider produces it. */
export const speechRoute: Route = {
  ...streamingAiRoute(
    '/v1/audio/speech',
    'ai/speech',
    'Text to speech (binary audio, streamed as the provider produces it)',
    speechRequestSchema,
  ),
  produces: 'audio/*',
};

export const transcriptionsRoute: Route = {
  ...aiRoute(
    '/v1/audio/transcriptions',
    'ai/transcriptions',
    'Speech to text (multipart/form-data upload: file, model, language, prompt, response_format)',
    transcriptionFieldsSchema,
  ),
  bodyType: 'multipart',
  // Lambda's 6 MB payload limit binds first, below OpenAI's 25 MB (larger uploads: see docs).
  maxBodyBytes: Math.min(AI_MAX_BODY_BYTES, MAX_TRANSCRIPTION_BYTES),
};
