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
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!pending) {
        res.write(chunk, () => done());
        return;
      }
      pending = Buffer.concat([pending, chunk]);
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
      res.flushHeaders();
      if (rest.length > 0) res.write(rest, () => done());
      else done();
    },
    final(done) {
      if (pending) res.writeHead(502).end();
      else res.end();
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
