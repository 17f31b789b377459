import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamo.js';
import { delayingProxy } from '../support/delaying-proxy.js';
import { startTestGateway } from '../support/runtime.js';
import { openRawStore } from '../support/store.js';

/** How long the stand-in holds each cache entry write before passing it on. */
const CACHE_WRITE_DELAY_MS = 3_000;

let dynamo: EmbeddedDynamo;
let proxy: Awaited<ReturnType<typeof delayingProxy>>;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  proxy = await delayingProxy(dynamo.socketPath, { marker: 'cache_entry', delayMs: CACHE_WRITE_DELAY_MS });
});
afterAll(async () => {
  proxy.server.close();
  await dynamo.close();
});

describe('cache writes happen after the response, and are never dropped by a stop', () => {
  it('answers a miss before its entry is written, and a stop waits for that write', async () => {
    // Prepare
    const gw = await startTestGateway({
      DYNAMODB_ENDPOINT: proxy.endpoint,
      MOCK_PROVIDER: 'on',
      CACHE_MODE: 'read_write',
    });
    // Act
    const started = performance.now();
    const res = await gw.call('POST', '/v1/chat/completions', {
      body: { model: 'mock-chat', messages: [{ role: 'user', content: 'keep me' }] },
    });
    const answeredMs = performance.now() - started;
    await gw.stop();
    // Assess: the caller did not wait for the (held) write; the stop did.
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-cache')).toBe('miss');
    expect(answeredMs).toBeLessThan(CACHE_WRITE_DELAY_MS);
    const raw = openRawStore({
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      TABLE_NAME: 'gateway',
    });
    const entries = await raw.scan({
      FilterExpression: 'entity = :e',
      ExpressionAttributeValues: { ':e': 'cache_entry' },
    });
    raw.close();
    expect(entries).toHaveLength(1);
  });
});
