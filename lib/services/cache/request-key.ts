/**
 * The cache key of a request: a SHA-256 of its normalized form, so that requests that must get the
 * same answer share an entry and requests that may not never do. `docs/cache.md` lists the rules.
 *
 * - Object keys are sorted at every depth; array order is kept (it is meaningful: messages, inputs).
 * - `null` and absent are the same; documented defaults are filled in (`temperature: 1` hashes
 *   like no temperature), so equivalent requests meet.
 * - Excluded: what never changes the answer (`user`, the Responses API's `store` and `metadata`)
 *   and the caller's identity (the namespace is the entry's partition, never the API key's secret).
 * - Included beside the body: the operation (`chat`, `messages`, `responses`, `embeddings`,
 *   `rerank`): a format's entry is replayed only in that format, and whether it was streamed (a
 *   stream is replayed chunk for chunk).
 */
import { createHash } from 'node:crypto';

/** The operations whose answers are cached; each stores and replays its own wire format. */
export type CachedOperation = 'chat' | 'messages' | 'responses' | 'embeddings' | 'rerank';

/** Bumped when the normalization changes: old entries then simply stop matching. */
const KEY_VERSION = 'v1';

/** Fields that never change an answer, per operation. */
const EXCLUDED: Record<CachedOperation, readonly string[]> = {
  chat: ['user', 'stream'],
  messages: ['user', 'stream'],
  responses: ['user', 'stream'],
  embeddings: ['user'],
  rerank: [],
};

/** Defaults the providers apply when a field is absent: filling them in makes both forms meet. */
const DEFAULTS: Record<CachedOperation, Record<string, unknown>> = {
  chat: { temperature: 1, top_p: 1, n: 1, presence_penalty: 0, frequency_penalty: 0 },
  messages: { temperature: 1, top_p: 1, n: 1, presence_penalty: 0, frequency_penalty: 0 },
  responses: { temperature: 1, top_p: 1, n: 1, presence_penalty: 0, frequency_penalty: 0 },
  embeddings: { encoding_format: 'float' },
  rerank: { return_documents: false },
};

/** JSON with object keys sorted at every depth and `null`/`undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The request as it is hashed: excluded fields dropped, defaults filled in, `stream_options` only on streams. */
export function normalizeRequest(
  operation: CachedOperation,
  body: Record<string, unknown>,
  streamed: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...DEFAULTS[operation] };
  for (const [name, value] of Object.entries(body)) {
    if (EXCLUDED[operation].includes(name) || value === null || value === undefined) continue;
    out[name] = value;
  }
  if (!streamed) delete out.stream_options;
  return out;
}

/**
 * The hex SHA-256 key of a request within its namespace (64 characters). Linear in the body's size.
 */
export function requestKey(
  operation: CachedOperation,
  body: Record<string, unknown>,
  streamed: boolean,
): string {
  const normalized = canonicalJson(normalizeRequest(operation, body, streamed));
  return createHash('sha256')
    .update(`${KEY_VERSION}\n${operation}\n${streamed ? 'stream' : 'whole'}\n`)
    .update(normalized)
    .digest('hex');
}
