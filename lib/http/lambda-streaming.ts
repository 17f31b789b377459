import type { Writable } from 'node:stream';

/** What the Lambda Node.js runtime marks a response-streaming handler with. */
export const STREAMING_MARK = Symbol.for('aws.lambda.runtime.handler.streaming');
export const STREAM_RESPONSE = 'response';
/** API Gateway's separator between the JSON prelude (status, headers) and the streamed body. */
export const PRELUDE_DELIMITER = new Uint8Array(8);

export interface HttpResponsePrelude {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
}

interface LambdaStreamingGlobal {
  streamifyResponse<T extends (...args: never[]) => unknown>(handler: T): T;
  HttpResponseStream: { from(stream: Writable, prelude: HttpResponsePrelude): Writable };
}

/**
 * Outside Lambda (the local runtime, tests) there is no `awslambda` global. This stand-in behaves
 * like the runtime's: `streamifyResponse` marks the handler, `HttpResponseStream.from` writes the
 * JSON prelude and the 8-byte delimiter API Gateway's STREAM mode expects, then the body follows.
 */
const standIn: LambdaStreamingGlobal = {
  streamifyResponse(handler) {
    Object.defineProperty(handler, STREAMING_MARK, { value: STREAM_RESPONSE });
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.write(JSON.stringify(prelude));
      stream.write(PRELUDE_DELIMITER);
      return stream;
    },
  },
};

// Fill in member by member: the AWS SDK's invoke store creates an `awslambda` object of its own.
const scope = globalThis as unknown as { awslambda?: Partial<LambdaStreamingGlobal> };
scope.awslambda ??= {};
scope.awslambda.streamifyResponse ??= standIn.streamifyResponse;
scope.awslambda.HttpResponseStream ??= standIn.HttpResponseStream;

/** Whether a loaded handler streams its response (invoked with a response stream, not returning one). */
export function isStreamingHandler(handler: unknown): boolean {
  return (handler as Record<symbol, unknown> | undefined)?.[STREAMING_MARK] === STREAM_RESPONSE;
}

/** Marks `handler` as a response-streaming handler (the runtime's `awslambda.streamifyResponse`). */
export function streamifyResponse<T extends (...args: never[]) => unknown>(handler: T): T {
  return (scope.awslambda as LambdaStreamingGlobal).streamifyResponse(handler);
}

/** Writes API Gateway's prelude to a response stream (the runtime's `awslambda.HttpResponseStream.from`). */
export function httpResponseStream(stream: Writable, prelude: HttpResponsePrelude): Writable {
  return (scope.awslambda as LambdaStreamingGlobal).HttpResponseStream.from(stream, prelude);
}
