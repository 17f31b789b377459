import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamo.js';
import { startTestGateway } from '../support/runtime.js';
import { openRawStore } from '../support/store.js';

/** How long the stand-in holds each usage counter write before passing it on. */
const USAGE_WRITE_DELAY_MS = 3_000;

/**
 * A proxy in front of dynalite (on its Unix socket) that holds the usage counter writes (the
 * `usage_hour` UpdateItem) for a while, so the test can tell what waits for them and what does not.
 */
function delayingProxy(socketPath: string): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const out = httpRequest(
          {
            socketPath,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
          },
        );
        out.end(body);
      };
      if (body.includes('usage_hour')) setTimeout(forward, USAGE_WRITE_DELAY_MS);
      else forward();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

let dynamo: EmbeddedDynamo;
let proxy: Awaited<ReturnType<typeof delayingProxy>>;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  proxy = await delayingProxy(dynamo.socketPath);
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
