import type * as z from 'zod';
import type { ItemKind } from '../../store/keys.js';
import type { Route } from '../types.js';

/**
 * What an AI call writes: usage counters, admission counters (rate windows, strict quota budgets),
 * circuit and latency state under the provider, and the
 * credential's `last_used_at` (plus the lazy sweep of its retiring versions), and its request-log
 * record.
 */
export const AI_CALL_WRITES: readonly ItemKind[] = [
  'usage',
  'rateWindow',
  'quota',
  'provider',
  'credential',
  'requestLog',
];

/** What an AI call whose answers the response cache keeps writes besides: entries and their model index. */
export const AI_CACHED_CALL_WRITES: readonly ItemKind[] = [...AI_CALL_WRITES, 'cacheEntry', 'cacheModel'];

/** Lambda's synchronous payload limit: the largest request an AI route can take (images inline). */
export const AI_MAX_BODY_BYTES = 6_000_000;

/** A streaming AI route (SSE when the body asks for it), served by `fn`. */
export const streamingAiRoute = (
  path: string,
  fn: string,
  summary: string,
  body: z.ZodType,
  writes: readonly ItemKind[] = AI_CALL_WRITES,
): Route => ({
  method: 'POST',
  path,
  fn,
  access: 'invoke',
  streams: true,
  summary,
  tag: 'ai',
  uses: ['bedrock', 'credentials:decrypt'],
  writes,
  maxBodyBytes: AI_MAX_BODY_BYTES,
  body,
  successStatus: 200,
  requestLog: true,
});

/** A buffered AI route served by `fn`. */
export const aiRoute = (
  path: string,
  fn: string,
  summary: string,
  body: z.ZodType,
  writes: readonly ItemKind[] = AI_CALL_WRITES,
): Route => ({
  ...streamingAiRoute(path, fn, summary, body, writes),
  streams: false,
});
