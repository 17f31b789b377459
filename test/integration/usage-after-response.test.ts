import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamo.js';
import { delayingProxy } from '../support/delaying-proxy.js';
import { startTestGateway } from '../support/runtime.js';
import { openRawStore } from '../support/store.js';

/** How long the stand-in holds each usage counter write before passing it on. */
const USAGE_WRITE_DELAY_MS = 3_000;

let dynamo: EmbeddedDynamo;
let proxy: Awaited<ReturnType<typeof delayingProxy>>;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  proxy = await delayingProxy(dynamo.socketPath, { marker: 'usage_hour', delayMs: USAGE_WRITE_DELAY_MS });
});
afterAll(async () => {
  proxy.server.close();
  await dynamo.close();
});

describe('usage is written after the response, and never dropped by a stop', () => {
  it('answers a chat before its usage write lands, and a stop waits for that write', async () => {
    const gw = await startTestGateway({ DYNAMODB_ENDPOINT: proxy.endpoint, MOCK_PROVIDER: 'on' });
    const started = performance.now();
    const res = await gw.call('POST', '/v1/chat/completions', {
      body: { model: 'mock-chat', messages: [{ role: 'user', content: 'hello' }] },
    });
    const answeredMs = performance.now() - started;
    expect(res.status).toBe(200);
    // The caller did not wait for the (held) usage write.
    expect(answeredMs).toBeLessThan(USAGE_WRITE_DELAY_MS);
    await gw.stop();

    // Right after the stop, the counter is in the table: the stop waited for the write.
    const raw = openRawStore({
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      TABLE_NAME: 'gateway',
    });
    const counters = await raw.scan({
      FilterExpression: 'entity = :e',
      ExpressionAttributeValues: { ':e': 'usage_hour' },
    });
    raw.close();
    const requests = counters.reduce((sum, item) => sum + Number(item.requests ?? 0), 0);
    expect(requests).toBe(1);
  });
});
