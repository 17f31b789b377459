import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import {
  keyOf,
  mockStore,
  openRawStore,
  type StoreMock,
  serviceError,
  throttlingError,
} from '../support/store.js';

/** What no caller may see of a storage fault: AWS's words, the table, the account, ARNs. */
const INTERNALS =
  /provisioned|dynamodb|gateway-table|amazonaws|arn:|123456789012|AccessDenied|ResourceNotFound/i;

/**
 * A stand-in DynamoDB endpoint that describes the table as ACTIVE and throttles every data call,
 * the way DynamoDB answers when a partition is hot: the SDK's real retries over real sockets (the
 * mocks below replace `send`, so only the wire shows how many attempts the client makes).
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

describe('storage faults: DynamoDB throttling on the wire', () => {
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

  it('retries a bounded number of times, then answers 503 with Retry-After and no internals', async () => {
    dynamo.calls.clear();
    const res = await gw.call('POST', '/api/providers', { body: providerBody('throttled') });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.json.error).toMatchObject({
      code: 'storage_throttled',
      message: 'Storage is busy; retry shortly.',
    });
    expect(res.text).not.toMatch(INTERNALS);
    expect(dynamo.calls.get('PutItem')).toBe(3);
  });

  it('reports the storage as unavailable on /health instead of failing', async () => {
    const res = await gw.call('GET', '/health', { key: null });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'degraded', storage: { status: 'unavailable' } });
  });
});

describe('storage faults: what AWS raises and no local store can (SDK mocks)', () => {
  let gw: TestGateway;
  let store: StoreMock;
  const chat = () =>
    gw.call('POST', '/v1/chat/completions', {
      body: { model: 'mock-chat', messages: [{ role: 'user', content: 'hello' }] },
    });
  beforeAll(async () => {
    // A small global limit: every chat is admitted by one conditional write of its rate window.
    gw = await startTestGateway({ MOCK_PROVIDER: 'on', GLOBAL_RATE_LIMIT_RPM: '1000' });
    store = mockStore();
  });
  afterEach(() => store.heal());
  afterAll(async () => {
    store.restore();
    await gw.stop();
  });

  it('answers a throttled admission with 503 and Retry-After, and counts the retried chat once', async () => {
    store.failWhen((command) => Boolean(keyOf(command).pk?.startsWith('RATE#')), throttlingError());
    const refused = await chat();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.json.error.code).toBe('storage_throttled');
    expect(refused.text).not.toMatch(INTERNALS);

    store.heal();
    expect((await chat()).status).toBe(200);
    await gw.runtime.idle();
    await gw.runtime.streams!.idle(); // the roll-ups of that chat run before the next fault
    const raw = openRawStore(gw.runtime.deps.config);
    const counters = await raw.scan({
      FilterExpression: 'entity = :e',
      ExpressionAttributeValues: { ':e': 'usage_hour' },
    });
    raw.close();
    expect(counters.reduce((sum, item) => sum + Number(item.requests ?? 0), 0)).toBe(1);
  });

  it('answers access denied (a role without the grant) with a generic 500 that names nothing of AWS', async () => {
    store.failWhen(() => true, serviceError('AccessDeniedException'));
    const res = await gw.call('GET', '/api/providers');
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe('internal_error');
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.text).not.toMatch(INTERNALS);
  });

  it('answers a missing table with a generic 500, and /health reports the storage unavailable', async () => {
    store.failWhen(() => true, serviceError('ResourceNotFoundException'));
    const res = await gw.call('GET', '/api/providers');
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(INTERNALS);
    const health = await gw.call('GET', '/health', { key: null });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'degraded', storage: { status: 'unavailable' } });
    expect(health.text).not.toMatch(INTERNALS);
  });

  it('never invites a retry after an ambiguous failure: a write that may have landed is a 500', async () => {
    // The socket timed out after the request was sent: DynamoDB may or may not have applied it.
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
    store.failWhen((command) => command.constructor.name === 'PutCommand', timeout);
    const res = await gw.call('POST', '/api/providers', { body: providerBody('ambiguous') });
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(res.text).not.toMatch(/timeout|socket|ETIMEDOUT/i);
  });
});
