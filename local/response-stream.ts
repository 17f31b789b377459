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
 * (status, headers), eight NUL bytes, then the body, forwarded to the client as the handler writes
 * it (chunked transfer). What the handler writes within one turn of the event loop leaves in one
 * socket write at the end of that turn: the headers with the first body bytes, a burst of SSE
 * events together, and a body that is complete within the turn with its length. Backpressure
 * holds the handler while the socket is saturated. A client that goes away destroys the stream, so
 * the handler's pipeline stops and its upstream call is aborted.
 */
export function createResponseStream(res: ServerResponse): Writable {
  let pending: Buffer | undefined = Buffer.alloc(0);
  /** Body bytes written during the current turn, sent together by `flush`. */
  let held: Buffer[] = [];
  let scheduled = false;
  const joined = (chunks: Buffer[]) => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  const flush = () => {
    scheduled = false;
    if (res.writableEnded) return;
    if (held.length === 0) {
      res.flushHeaders(); // a slow stream: the status and headers go out on their own
      return;
    }
    const chunks = held;
    held = [];
    res.write(joined(chunks));
  };
  const hold = (chunk: Buffer | undefined, done: () => void) => {
    if (chunk && chunk.length > 0) held.push(chunk);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    if (res.writableNeedDrain) res.once('drain', done);
    else done();
  };
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!pending) {
        hold(chunk, () => done());
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
      hold(rest, () => done());
    },
    final(done) {
      if (pending) res.writeHead(502).end();
      else {
        const chunks = held;
        held = [];
        res.end(chunks.length === 0 ? undefined : joined(chunks));
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
