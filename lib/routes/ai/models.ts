import * as z from 'zod';
import type { Route } from '../types.js';

const modelList = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
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
