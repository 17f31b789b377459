import { redactSecrets } from '../../redact.js';
import type { PAYLOAD_REDACTIONS } from '../../schemas/vocabulary.js';

export type PayloadRedaction = (typeof PAYLOAD_REDACTIONS)[number];

/** Linear patterns (no nested quantifiers) for the optional redactions of `LOG_REDACT`. */
const OPTIONAL: Record<PayloadRedaction, { pattern: RegExp; mask: string }> = {
  email: {
    pattern: /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g,
    mask: '[email]',
  },
  // 13–19 digits, optionally split by single spaces or dashes: card numbers (before phones).
  card: { pattern: /\b\d(?:[ -]?\d){12,18}\b/g, mask: '[card]' },
  // An optional +country code, then 7–14 more digits with single separators.
  phone: { pattern: /(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d(?:[ .-]?\d){6,13}\b/g, mask: '[phone]' },
};
const ORDER: readonly PayloadRedaction[] = ['email', 'card', 'phone'];

/** Reads `LOG_REDACT` (already validated): the optional redactions to apply. */
export function redactionsOf(setting: string): PayloadRedaction[] {
  return setting
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is PayloadRedaction => s in OPTIONAL);
}

/** A logged body, as stored: redacted text, cut to the cap, and whether it was cut. */
export interface StoredBody {
  text: string;
  truncated: boolean;
  bytes: number;
}

/**
 * Turns a captured body into what the request log stores: serialized (strings as they are), with
 * credential shapes always masked (`lib/redact.ts`) and the configured patterns masked, then cut to
 * `maxBytes` UTF-8 bytes. Redaction runs before the cut so a secret split by the cut still goes.
 * Linear in the body's size.
 */
export function storedBody(
  value: unknown,
  options: { maxBytes: number; redact: readonly PayloadRedaction[] },
): StoredBody | null {
  if (value === null || value === undefined) return null;
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return null;
  // Bound the work: redact at most a few times the cap (what is past it is cut anyway).
  const bytes = Buffer.byteLength(text, 'utf8');
  const cut = text.length > options.maxBytes * 4;
  if (cut) text = text.slice(0, options.maxBytes * 4);
  text = redactSecrets(text);
  for (const name of ORDER) {
    if (options.redact.includes(name)) text = text.replace(OPTIONAL[name].pattern, OPTIONAL[name].mask);
  }
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= options.maxBytes) return { text, truncated: cut, bytes };
  // Cut on a character boundary: drop a trailing partial UTF-8 sequence.
  let end = options.maxBytes;
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return { text: buffer.subarray(0, end).toString('utf8'), truncated: true, bytes };
}
