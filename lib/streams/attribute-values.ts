import type { AttributeValue } from 'aws-lambda';

/** A plain value read from a stream image. */
export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/** Thrown when an image holds something the table never stores (a poison record). */
export class UnreadableImageError extends Error {
  override name = 'UnreadableImageError';
}

/**
 * Converts one DynamoDB `AttributeValue` of a stream image to a plain value. Numbers become JS
 * numbers (callers check they are safe integers where it matters); binary values are refused,
 * the table stores none.
 *
 * @throws UnreadableImageError for an unknown or malformed attribute value.
 */
export function fromAttributeValue(value: AttributeValue | undefined): Plain {
  if (value === undefined || value === null || typeof value !== 'object') {
    throw new UnreadableImageError('missing attribute value');
  }
  if (value.S !== undefined) return String(value.S);
  if (value.N !== undefined) {
    const n = Number(value.N);
    if (!Number.isFinite(n)) throw new UnreadableImageError('a number that is not finite');
    return n;
  }
  if (value.BOOL !== undefined) return Boolean(value.BOOL);
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return fromImage(value.M);
  if (value.L !== undefined) return value.L.map((v) => fromAttributeValue(v));
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map((n) => Number(n));
  throw new UnreadableImageError('an attribute type the table does not store');
}

/** Converts a stream image (`NewImage`, `OldImage`, `Keys`) to a plain object. */
export function fromImage(image: Record<string, AttributeValue> | undefined): { [key: string]: Plain } {
  if (!image || typeof image !== 'object') throw new UnreadableImageError('missing image');
  const out: { [key: string]: Plain } = {};
  for (const [name, value] of Object.entries(image)) out[name] = fromAttributeValue(value);
  return out;
}
