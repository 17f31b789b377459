import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

/**
 * A stand-in DynamoDB endpoint that describes the table as ACTIVE and throttles every data call,
 * the way DynamoDB answers when a partition is hot: the real client, its real retries, real sockets.
 */
function throttlingDynamo(): Promise<{ server: Server; endpoint: string; calls: Map<string, number> }> {
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    req.resume();
    req.on('end', () => {
      calls.set(target, (calls.get(target) ?? 0) + 1);
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (target === 'DescribeTable') {
        res.end(JSON.stringify({ Table: { TableName: 'gateway', TableStatus: 'ACTIVE' } }));
        return;
      }
      res.statusCode = 400;
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls }),
    ),
  );
}

let gw: TestGateway;
let dynamo: Awaited<ReturnType<typeof throttlingDynamo>>;
beforeAll(async () => {
  dynamo = await throttlingDynamo();
  gw = await startTestGateway({ DYNAMODB_ENDPOINT: dynamo.endpoint });
});
afterAll(async () => {
  await gw.stop();
  dynamo.server.close();
});

describe('storage faults: DynamoDB throttling', () => {
  it('retries a bounded number of times, then answers 503 with Retry-After and no internals', async () => {
    dynamo.calls.clear();
    const res = await gw.call('POST', '/api/providers', { body: providerBody('throttled') });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.json.error).toMatchObject({
      code: 'storage_throttled',
      message: 'Storage is busy; retry shortly.',
    });
    expect(res.text).not.toMatch(/provisioned|dynamodb|gateway-table|amazonaws/i);
    expect(dynamo.calls.get('PutItem')).toBe(3);
  });

  it('reports the storage as unavailable on /health instead of failing', async () => {
    const res = await gw.call('GET', '/health', { key: null });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'degraded', storage: { status: 'unavailable' } });
  });
});
