import { afterEach, describe, expect, it } from 'vitest';
import { createStoreClients, STORE_MAX_ATTEMPTS, storeAddress } from '../../../lib/store/client.js';

const opened: Array<ReturnType<typeof createStoreClients>> = [];
const open = (endpoint?: string) => {
  const clients = createStoreClients({ AWS_REGION: 'eu-west-1', DYNAMODB_ENDPOINT: endpoint });
  opened.push(clients);
  return clients;
};
afterEach(() => {
  for (const clients of opened.splice(0)) clients.document.destroy();
});

describe('store client: where it connects and how it signs', () => {
  it('reads a unix: endpoint as a socket to dial, with the origin its requests name', () => {
    expect(storeAddress('unix:/tmp/gw/dynamodb.sock')).toEqual({
      endpoint: 'http://localhost',
      socketPath: '/tmp/gw/dynamodb.sock',
    });
    expect(storeAddress('https://db.example:8000')).toEqual({ endpoint: 'https://db.example:8000' });
    expect(storeAddress(undefined)).toEqual({});
  });

  it('signs for a store outside AWS with fixed local credentials, consulting no chain', async () => {
    for (const endpoint of ['unix:/tmp/gw/dynamodb.sock', 'http://scylla.internal:8000']) {
      const credentials = await open(endpoint).dynamo.config.credentials();
      expect(credentials).toMatchObject({ accessKeyId: 'local', secretAccessKey: 'local' });
    }
  });

  it("signs for AWS's endpoints with the SDK's chain (here the environment's credentials)", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'test-access-key-id';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    try {
      for (const endpoint of [undefined, 'https://dynamodb.eu-west-1.amazonaws.com']) {
        const credentials = await open(endpoint).dynamo.config.credentials();
        expect(credentials.accessKeyId).toBe('test-access-key-id');
      }
    } finally {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('keeps one signer for every request, and retries a bounded number of times', async () => {
    const { dynamo, document } = open('unix:/tmp/gw/dynamodb.sock');
    expect(await dynamo.config.signer()).toBe(await dynamo.config.signer());
    expect(await dynamo.config.maxAttempts()).toBe(STORE_MAX_ATTEMPTS);
    expect(await document.config.maxAttempts()).toBe(STORE_MAX_ATTEMPTS);
    // The low-level client caches its middleware chain; the document client cannot, so it has its own.
    expect(dynamo.config.cacheMiddleware).toBe(true);
    expect(document.config.cacheMiddleware).not.toBe(true);
    // One transport, so both share one pool of connections.
    expect(document.config.requestHandler).toBe(dynamo.config.requestHandler);
  });
});
