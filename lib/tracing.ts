import type middy from '@middy/core';

type Middleware = middy.MiddlewareObj;

let loaded: Promise<Middleware | undefined> | undefined;

/** Tracing is on in AWS unless POWERTOOLS_TRACE_ENABLED=false; always off in the local runtime. */
function tracingEnabled(): boolean {
  return process.env.GATEWAY_RUNTIME === 'aws' && process.env.POWERTOOLS_TRACE_ENABLED !== 'false';
}

/**
 * X-Ray tracing through Powertools Tracer, loaded only where it is on: the X-Ray SDK costs tens of
 * milliseconds of cold start, which the local runtime and the tests never pay.
 */
export function tracingMiddleware(): Middleware {
  const inner = () => {
    loaded ??= tracingEnabled()
      ? Promise.all([
          import('@aws-lambda-powertools/tracer'),
          import('@aws-lambda-powertools/tracer/middleware'),
        ]).then(
          ([{ Tracer }, { captureLambdaHandler }]) =>
            captureLambdaHandler(
              new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ai-gateway' }),
              {
                captureResponse: false,
              },
            ) as Middleware,
        )
      : Promise.resolve(undefined);
    return loaded;
  };
  return {
    before: async function traceStart(request) {
      await (await inner())?.before?.(request);
    },
    after: async function traceEnd(request) {
      await (await inner())?.after?.(request);
    },
    onError: async function traceError(request) {
      await (await inner())?.onError?.(request);
    },
  };
}
