import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The key a caller presented: `Authorization: Bearer <key>` (OpenAI SDK) or `x-api-key: <key>`
 * (Anthropic SDK). Header names are matched case-insensitively. Anything malformed is `undefined`.
 */
export function presentedKey(
  headers: Record<string, string | undefined> | null | undefined,
): string | undefined {
  let authorization: string | undefined;
  let apiKey: string | undefined;
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') authorization = value;
    else if (lower === 'x-api-key') apiKey = value;
  }
  const bearer = authorization?.match(/^Bearer\s+(\S{16,512})\s*$/i)?.[1];
  const candidate = bearer ?? apiKey?.trim();
  return candidate && /^[\x21-\x7e]{16,512}$/.test(candidate) ? candidate : undefined;
}

/** Constant-time comparison of two keys (compares digests so lengths do not leak). */
export function sameKey(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** Prefix of every key the gateway issues; also what the log redactor recognises. */
export const API_KEY_PREFIX = 'gk_';

/** A new gateway API key: `gk_` and 43 URL-safe characters (256 random bits). Shown to its owner once. */
export function newApiKeySecret(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * HMAC-SHA256 of a presented key under the pepper, as 64 hex characters: the partition key of the
 * key's secret item. The table never holds the key itself, and without the pepper (kept outside the
 * table) a leaked table does not let anyone test guesses offline.
 */
export function hashApiKey(pepper: Buffer, key: string): string {
  return createHmac('sha256', pepper).update(key, 'utf8').digest('hex');
}

/** What a listing may show to tell keys apart: the prefix and the last 4 characters (`gk_…x9Qz`). */
export function keyHint(key: string): string {
  return `${key.startsWith(API_KEY_PREFIX) ? API_KEY_PREFIX : ''}…${key.slice(-4)}`;
}
