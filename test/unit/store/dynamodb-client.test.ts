import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbClient, DynamoDbError } from '../../../lib/store/dynamodb-client.js';
import { isConditionFailed, translateStoreError } from '../../../lib/store/errors.js';

/** A stand-in DynamoDB on a real socket: each request is answered by the next scripted reply. */
type Reply = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let endpoint: string;
let replies: Reply[] = [];
let seen: Array<{ target: string; headers: IncomingMessage['headers']; body: string }> = [];

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
    res.end(JSON.stringify(body));
  };
const fault = (type: string, message: string, extra: object = {}, status = 400) =>
  json(
    status,
    { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra },
    { 'x-amzn-requestid': 'REQ123' },
  );

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ target: String(req.headers['x-amz-target']), headers: req.headers, body });
      const reply = replies.shift() ?? json(200, {});
      reply(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  replies = [];
  seen = [];
});

const client = () => new DynamoDbClient({ region: 'us-east-1', endpoint });

describe('DynamoDbClient', () => {
  it('posts the JSON protocol, signed, and returns the parsed answer', async () => {
    replies = [json(200, { Item: { pk: { S: 'A' } } })];
    const out = await client().call('GetItem', { TableName: 't', Key: { pk: { S: 'A' } } });
    expect(out).toEqual({ Item: { pk: { S: 'A' } } });
    expect(seen[0]!.target).toBe('DynamoDB_20120810.GetItem');
    expect(seen[0]!.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(seen[0]!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(seen[0]!.body)).toEqual({ TableName: 't', Key: { pk: { S: 'A' } } });
  });

  it('raises a refused condition at once, shaped like the SDK error the domain reads', async () => {
    replies = [fault('ConditionalCheckFailedException', 'The conditional request failed')];
    const error = await client()
      .call('UpdateItem', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoDbError);
    expect(isConditionFailed(error)).toBe(true);
    expect(error).toMatchObject({
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'REQ123', attempts: 1 },
    });
    expect((error as DynamoDbError).$retryable).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it('keeps an error’s own fields (a cancelled transaction’s reasons)', async () => {
    const reasons = [
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ];
    replies = [
      fault('TransactionCanceledException', 'Transaction cancelled', { CancellationReasons: reasons }),
    ];
    const error = (await client()
      .call('TransactWriteItems', {})
      .catch((e: unknown) => e)) as DynamoDbError;
    expect(error.name).toBe('TransactionCanceledException');
    expect(error.CancellationReasons).toEqual(reasons);
  });

  it('retries throttling and 5xx, then succeeds within three attempts', async () => {
    replies = [
      fault('ProvisionedThroughputExceededException', 'slow down'),
      fault('InternalServerError', 'oops', {}, 500),
      json(200, { Attributes: { n: { N: '1' } } }),
    ];
    await expect(client().call('UpdateItem', {})).resolves.toEqual({ Attributes: { n: { N: '1' } } });
    expect(seen).toHaveLength(3);
  });

  it('gives up after three attempts with a retryable error the store answers as a 503', async () => {
    replies = [1, 2, 3, 4].map(() => fault('ThrottlingException', 'slow down'));
    const error = await client()
      .call('PutItem', {})
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(3);
    expect(error).toMatchObject({
      name: 'ThrottlingException',
      $retryable: { throttling: true },
      $metadata: { attempts: 3 },
    });
    expect(() => translateStoreError(error)).toThrow(
      expect.objectContaining({ statusCode: 503, code: 'storage_throttled' }),
    );
  });

  it('retries a connection reset', async () => {
    replies = [(req) => req.socket.destroy(), json(200, { ok: true })];
    await expect(client().call('GetItem', {})).resolves.toEqual({ ok: true });
    expect(seen).toHaveLength(2);
  });

  it('classifies a non-JSON error page by its status', async () => {
    replies = [1, 2, 3].map(() => (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    const error = await client()
      .call('GetItem', {})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'InternalServerError',
      $fault: 'server',
      $metadata: { httpStatusCode: 502 },
    });
  });
});
