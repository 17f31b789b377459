import type * as z from 'zod';
import type { Route } from '../types.js';

/** Lambda's synchronous payload limit: the largest request an AI route can take (images inline). */
export const AI_MAX_BODY_BYTES = 6_000_000;

/** A streaming AI route (SSE when the body asks for it), served by `fn`. */
export const streamingAiRoute = (path: string, fn: string, summary: string, body: z.ZodType): Route => ({
  method: 'POST',
  path,
  fn,
  access: 'invoke',
  streams: true,
  summary,
  tag: 'ai',
  uses: ['bedrock', 'credentials:decrypt'],
  maxBodyBytes: AI_MAX_BODY_BYTES,
  body,
  successStatus: 200,
  requestLog: true,
});

/** A buffered AI route served by `fn`. */
export const aiRoute = (path: string, fn: string, summary: string, body: z.ZodType): Route => ({
  ...streamingAiRoute(path, fn, summary, body),
  streams: false,
});
