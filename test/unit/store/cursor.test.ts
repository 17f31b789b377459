import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../lib/errors.js';
import { decodeCursor, encodeCursor } from '../../../lib/store/cursor.js';

const partition = { attribute: 'gsi1pk', value: 'PROVIDERS' };

describe('cursor: opaque pagination positions', () => {
  it('round-trips a key of the partition being read', () => {
    const key = { pk: 'PROVIDER#a', sk: 'PROVIDER', gsi1pk: 'PROVIDERS', gsi1sk: '2026#a' };
    expect(decodeCursor(encodeCursor(key), partition)).toEqual(key);
  });

  it.each([
    ['not base64url', '***'],
    ['not JSON', Buffer.from('{').toString('base64url')],
    ['an array', Buffer.from('[]').toString('base64url')],
    ['empty object', Buffer.from('{}').toString('base64url')],
    ['a non-key attribute', encodeCursor({ gsi1pk: 'PROVIDERS', secret: 'x' } as never)],
    ['a number value', Buffer.from('{"gsi1pk":1}').toString('base64url')],
    ['another partition', encodeCursor({ gsi1pk: 'APIKEYS', gsi1sk: 'x' })],
    ['an over-long cursor', 'a'.repeat(5000)],
  ])('refuses %s with a 400 invalid_cursor', (_name, cursor) => {
    expect(() => decodeCursor(cursor, partition)).toThrow(BadRequestError);
  });
});
