import * as z from 'zod';
import { CAPABILITIES, MODEL_TYPES } from '../../schemas/vocabulary.js';
import type { Route } from '../types.js';

const modelList = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      id: z.string(),
      object: z.literal('model'),
      created: z.number(),
      owned_by: z.string(),
      model_type: z.enum(MODEL_TYPES).meta({ description: 'What the model does (gateway extension).' }),
      capabilities: z
        .array(z.enum(CAPABILITIES))
        .meta({ description: 'What the model supports (gateway extension).' }),
    }),
  ),
});

export const usableModelsRoute: Route = {
  method: 'GET',
  path: '/v1/models',
  fn: 'ai/models',
  access: 'invoke',
  streams: false,
  summary: 'Models this key can use (OpenAI list format)',
  tag: 'ai',
  response: modelList,
  successStatus: 200,
};
