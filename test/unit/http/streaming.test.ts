import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
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

describe('afterResponse: work after the caller has its answer', () => {
  const afterRoute: Route = { ...route, path: '/test/after', fn: 'test/after' };
  const event = (id: string) =>
    ({
      httpMethod: 'POST',
      path: '/test/after',
      resource: '/test/after',
      headers: {},
      requestContext: { requestId: id },
    }) as unknown as APIGatewayProxyEvent;

  it('ends the response stream before a deferred task finishes, and the invocation after it', async () => {
    let finishTask: () => void = () => undefined;
    const order: string[] = [];
    const deferred = defineHandler(afterRoute, async (request) => {
      request.afterResponse(async () => {
        order.push('task started');
        await new Promise<void>((resolve) => (finishTask = resolve));
        order.push('task done');
      });
      return new Reply(200, { ok: true });
    });
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        order.push('response ended');
        done();
      },
    });
    const invocation = (deferred as unknown as (e: unknown, s: unknown, c: unknown) => Promise<void>)(
      event('req-after-1'),
      stream,
      lambdaContext('test'),
    ).then(() => order.push('invocation done'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['response ended', 'task started']);
    expect(Buffer.concat(chunks).toString()).toContain('{"ok":true}');
    finishTask();
    await invocation;
    expect(order).toEqual(['response ended', 'task started', 'task done', 'invocation done']);
  });

  it('still runs a deferred task when the handler failed after deferring it', async () => {
    let ran = false;
    const failing = defineHandler(afterRoute, async (request) => {
      request.afterResponse(async () => {
        ran = true;
      });
      throw new Error('boom');
    });
    const sink = new Writable({ write: (_c, _e, done) => done() });
    await (failing as unknown as (e: unknown, s: unknown, c: unknown) => Promise<void>)(
      event('req-after-2'),
      sink,
      lambdaContext('test'),
    ).catch(() => undefined);
    expect(ran).toBe(true);
  });
});
