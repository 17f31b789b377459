import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { SigV4Signer } from '../../../lib/aws/sigv4.js';

const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** The SDK signer's hash interface, on node:crypto (HMAC when given a secret). */
class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
}

/** Throw-away values shaped like credentials; nothing real. */
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE0000',
  secretAccessKey: 'test-secret-not-real/000000000000000000',
};
const BODY = JSON.stringify({ TableName: 'gateway', Key: { pk: { S: 'A#1' }, sk: { S: 'B' } } });

async function sdkAuthorization(input: { host: string; at: Date; sessionToken?: string }): Promise<string> {
  const signer = new SignatureV4({
    credentials: { ...CREDENTIALS, ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}) },
    region: 'eu-west-3',
    service: 'dynamodb',
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: input.host.split(':')[0]!,
      path: '/',
      headers: {
        host: input.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.GetItem',
      },
      body: BODY,
    },
    { signingDate: input.at },
  );
  return String(signed.headers.authorization);
}

describe('SigV4Signer', () => {
  const ours = new SigV4Signer('eu-west-3', 'dynamodb');
  const sign = (host: string, at: Date, sessionToken?: string) =>
    ours.sign({
      host,
      body: BODY,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      credentials: { ...CREDENTIALS, sessionToken },
      nowMs: at.getTime(),
    });

  it('signs exactly as the AWS SDK signer does', async () => {
    const at = new Date('2026-11-26T14:15:16.789Z');
    const headers = sign('dynamodb.eu-west-3.amazonaws.com', at);
    expect(headers['x-amz-date']).toBe('20261126T141516Z');
    expect(headers.authorization).toBe(
      await sdkAuthorization({ host: 'dynamodb.eu-west-3.amazonaws.com', at }),
    );
  });

  it('signs the session token and a host with a port, and a new day with a new key', async () => {
    for (const at of [new Date('2026-11-26T23:59:59.000Z'), new Date('2026-11-27T00:00:01.000Z')]) {
      const headers = sign('127.0.0.1:8000', at, 'session-token-not-real');
      expect(headers['x-amz-security-token']).toBe('session-token-not-real');
      expect(headers.authorization).toBe(
        await sdkAuthorization({ host: '127.0.0.1:8000', at, sessionToken: 'session-token-not-real' }),
      );
    }
  });
});
