import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineHandler, Reply } from '../../../lib/http/handler.js';
import { isStreamingHandler } from '../../../lib/http/lambda-streaming.js';
import type { Route } from '../../../lib/routes.js';
import { lambdaContext } from '../../../local/event.js';
import { createResponseStream } from '../../../local/response-stream.js';

const route: Route = {
  method: 'POST',
  path: '/test/stream',
  fn: 'test/stream',
  access: 'public',
  streams: true,
  summary: 'test',
  tag: 'test',
  successStatus: 200,
};

let release: () => void = () => undefined;
const gate = () => new Promise<void>((resolve) => (release = resolve));

const handler = defineHandler(route, async () => {
  const wait = gate();
  async function* events() {
    yield 'data: first\n\n';
    await wait;
    yield 'data: second\n\n';
  }
  return new Reply(200, Readable.from(events()), { 'content-type': 'text/event-stream' });
});

let url: string;
const server = createServer((req, res) => {
  const event = {
    httpMethod: 'POST',
    path: '/test/stream',
    resource: '/test/stream',
    headers: {},
    requestContext: { requestId: 'req-stream-1' },
  } as unknown as APIGatewayProxyEvent;
  req.resume();
  void (handler as unknown as (e: unknown, s: unknown, c: unknown) => Promise<void>)(
    event,
    createResponseStream(res),
    lambdaContext('test'),
  );
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.close();
});

describe('streaming: Lambda response streaming behind the STREAM transfer mode', () => {
  it('marks streaming routes the way the Lambda runtime does', () => {
    expect(isStreamingHandler(handler)).toBe(true);
  });

  it('sends the prelude status and headers, then each chunk as soon as it is written', async () => {
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('x-request-id')).toBe('req-stream-1');
    const reader = res.body!.getReader();
    const first = await reader.read();
    // The second event is still held back by the gate: the first arrived on its own.
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
    release();
    let rest = '';
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      rest += new TextDecoder().decode(next.value);
    }
    expect(rest).toBe('data: second\n\n');
  });
});
