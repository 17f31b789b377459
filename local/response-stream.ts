import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { HttpResponsePrelude } from '../lib/http/lambda-streaming.js';

const MAX_PRELUDE_BYTES = 64 * 1024;

function indexOfDelimiter(buffer: Buffer): number {
  for (let i = 0; i + 8 <= buffer.length; i++) {
    if (buffer[i] === 0 && buffer.readBigUInt64BE(i) === 0n) return i;
  }
  return -1;
}

/**
 * The response stream Lambda hands a streaming handler, as API Gateway reads it: a JSON prelude
 * (status, headers), eight NUL bytes, then the body, forwarded to the client chunk by chunk as the
 * handler writes it (chunked transfer, no buffering). A client that goes away destroys the stream,
 * so the handler's pipeline stops and its upstream call is aborted.
 */
export function createResponseStream(res: ServerResponse): Writable {
  let pending: Buffer | undefined = Buffer.alloc(0);
  /** Body bytes held for one turn of the event loop, so that headers and a short body leave together. */
  let held: Buffer[] = [];
  /** Set once the first turn passed: from then on each chunk is written as it comes, with backpressure. */
  let direct = false;
  const flush = () => {
    direct = true;
    if (res.writableEnded) return;
    if (held.length === 0) {
      res.flushHeaders();
      return;
    }
    const chunks = held;
    held = [];
    res.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  };
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!pending) {
        if (direct) res.write(chunk, () => done());
        else {
          held.push(chunk);
          done();
        }
        return;
      }
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const at = indexOfDelimiter(pending);
      if (at < 0) {
        done(pending.length > MAX_PRELUDE_BYTES ? new Error('response prelude too large') : undefined);
        return;
      }
      const prelude = JSON.parse(pending.subarray(0, at).toString('utf8')) as HttpResponsePrelude;
      const rest = pending.subarray(at + 8);
      pending = undefined;
      const headers: Record<string, string | string[]> = { ...prelude.headers, ...prelude.multiValueHeaders };
      if (prelude.cookies?.length) headers['set-cookie'] = prelude.cookies;
      res.writeHead(prelude.statusCode, headers);
      // Headers go out with the first body bytes, or on their own after one turn (a slow stream).
      held = rest.length > 0 ? [rest] : [];
      setImmediate(flush);
      done();
    },
    final(done) {
      if (pending) {
        res.writeHead(502).end();
      } else {
        // A body that is all here is sent with its length, in one write with the headers.
        const chunks = held;
        held = [];
        res.end(chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      }
      done();
    },
  });
  // The handler may not be writing (or listening) yet, e.g. while a buffered chat waits on the
  // upstream: without a listener the destroy's 'error' event would crash the whole local runtime.
  // The handler still sees the stream destroyed (its writes and pipeline fail).
  stream.on('error', () => {});
  res.on('close', () => {
    if (!res.writableFinished) stream.destroy(new Error('client closed the connection'));
  });
  return stream;
}
