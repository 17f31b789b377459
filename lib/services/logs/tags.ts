import { BadRequestError } from '../../errors.js';

/** The caller's labels of one request: `x-gateway-metadata` and OpenAI's `metadata`, and `user`. */
export interface RequestTags {
  /** Label → value, all strings; the header's entries win over the body's `metadata`. */
  tags: Record<string, string>;
  /** OpenAI's `user` field (the caller's end-user id), when sent. */
  user: string | null;
}

/** Largest `x-gateway-metadata` header, in bytes. */
export const MAX_METADATA_BYTES = 2_048;
/** Most labels one request carries (header and body together); OpenAI's own `metadata` cap. */
export const MAX_TAGS = 16;
const TAG_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_VALUE = 512;

const invalid = (message: string) =>
  new BadRequestError(message, { code: 'invalid_metadata', details: { header: 'x-gateway-metadata' } });

function fromHeader(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw.trim() === '') return {};
  if (Buffer.byteLength(raw, 'utf8') > MAX_METADATA_BYTES) {
    throw invalid(`x-gateway-metadata is larger than ${MAX_METADATA_BYTES} bytes.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('x-gateway-metadata must be a JSON object.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid('x-gateway-metadata must be a JSON object.');
  }
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(parsed)) {
    if (!TAG_KEY.test(key)) throw invalid('x-gateway-metadata keys are 1–64 letters, digits, _ . : or -.');
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw invalid('x-gateway-metadata values are strings, numbers or booleans.');
    }
    const text = String(value);
    if (text.length > MAX_VALUE)
      throw invalid(`x-gateway-metadata values are at most ${MAX_VALUE} characters.`);
    out[key] = text;
  }
  return out;
}

/** OpenAI's `metadata`: kept when it is an object of short strings (the route's schema owns its validity). */
function fromBody(metadata: unknown): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return {};
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(metadata)) {
    if (TAG_KEY.test(key) && typeof value === 'string') out[key] = value.slice(0, MAX_VALUE);
  }
  return out;
}

/**
 * The tags of a request, from the `x-gateway-metadata` header (a JSON object of at most
 * {@link MAX_METADATA_BYTES} bytes) and the body's OpenAI `metadata` and `user` fields.
 *
 * @throws BadRequestError `invalid_metadata` (400) for a header that is not a small flat JSON object,
 *   or when header and body together carry more than {@link MAX_TAGS} labels.
 */
export function requestTags(header: string | undefined, body: unknown): RequestTags {
  const fields = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const tags: Record<string, string> = Object.assign(
    Object.create(null),
    fromBody(fields.metadata),
    fromHeader(header),
  );
  if (Object.keys(tags).length > MAX_TAGS) throw invalid(`A request carries at most ${MAX_TAGS} tags.`);
  const user = typeof fields.user === 'string' && fields.user !== '' ? fields.user.slice(0, 256) : null;
  return { tags, user };
}

/**
 * Whether a record's tags match a `tag` filter: `name` (the label is present) or `name:value`
 * (exact value); `user:<id>` also matches OpenAI's `user` field.
 */
export function tagMatches(filter: string, tags: Record<string, string>, user: string | null): boolean {
  const colon = filter.indexOf(':');
  if (colon < 0) return Object.hasOwn(tags, filter) || (filter === 'user' && user !== null);
  const name = filter.slice(0, colon);
  const value = filter.slice(colon + 1);
  return (Object.hasOwn(tags, name) && tags[name] === value) || (name === 'user' && user === value);
}
