/**
 * Pre-marshalled values for the low-level client: the counter and admission writes on the request
 * path hold only strings and numbers, and marshalling them here costs nothing, where the document
 * client walks every input for values and adds two middlewares per call (about 50 µs of CPU per
 * `UpdateItem`, measured with `bench/dynamo-client-cost.ts`). Anything else goes through the
 * document client, so both paths store the same thing.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ItemKey } from './keys.js';

/**
 * The attribute value of a string, a finite safe number, a boolean or null, exactly as
 * `@aws-sdk/util-dynamodb`'s `marshall` writes it; `undefined` for anything else (objects, lists,
 * `undefined`, numbers the document client refuses), which the caller sends the usual way.
 */
function scalar(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER
        ? { N: String(value) }
        : undefined;
    case 'boolean':
      return { BOOL: value };
    default:
      return value === null ? { NULL: true } : undefined;
  }
}

/** Every value marshalled, or `undefined` when one of them is not a scalar. */
export function marshallScalars(values: Record<string, unknown>): Record<string, AttributeValue> | undefined {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(values)) {
    const attribute = scalar(value);
    if (attribute === undefined) return undefined;
    out[name] = attribute;
  }
  return out;
}

/** An item key as the low-level client takes it. */
export function marshallKey(key: ItemKey): Record<string, AttributeValue> {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}
