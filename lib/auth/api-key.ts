import { createHash, timingSafeEqual } from 'node:crypto';

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
