import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { recordRefusal } from '../audit/refusals.js';
import { principalFromEvent } from '../auth/principal.js';
import { allows, type Principal } from '../auth/roles.js';
import { ForbiddenError, GatewayError } from '../errors.js';
import { describeError, logger, MetricUnit, metrics } from '../observability.js';
import type { Route } from '../routes/types.js';
import { bindToContainer } from '../runtime/container.js';
import type { Gateway } from '../runtime/gateway.js';
import { tracingMiddleware } from '../tracing.js';
import { type HttpResponsePrelude, httpResponseStream, streamifyResponse } from './lambda-streaming.js';
import { lowerHeaders, parseBody, parseParams, parseQuery } from './request.js';
import { errorResponse, Reply, replyResponse } from './response.js';

/** What a handler receives: validated input, the caller and the container's dependencies. */
export interface HandlerRequest<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** Absent only on public routes. */
  principal: Principal;
  requestId: string;
  /** `performance.now()` when the invocation began (for the gateway's own overhead). */
  receivedAt: number;
  sourceIp: string;
  headers: Record<string, string>;
  deps: Gateway;
  event: APIGatewayProxyEvent;
  context: Context;
  /**
   * Runs `task` once the response is complete: on a streaming route after the stream ended (the
   * caller has its answer; the invocation lasts until the task settles), on a buffered route just
   * before the response is returned. Tasks run even when the response failed; one task's failure
   * is logged and does not affect the others.
   */
  afterResponse(task: () => Promise<void>): void;
}

export { Reply } from './response.js';

type Impl<B, Q, P> = (request: HandlerRequest<B, Q, P>) => Promise<unknown>;
type State = {
  route: Route;
  started: number;
  requestId: string;
  deferred: Array<() => Promise<void>>;
  /** Set once the caller is authenticated and the container's dependencies are known. */
  caller?: { principal: Principal; deps: Gateway; sourceIp: string };
};

/** Per-invocation state, keyed by the event (the local runtime runs invocations concurrently). */
const invocations = new WeakMap<APIGatewayProxyEvent, State>();

/**
 * The route of an invocation among those its function serves: the one API Gateway matched
 * (`resource` and `httpMethod` of the event); a function serving one route needs no look-up.
 */
function routeOf(event: APIGatewayProxyEvent, routes: readonly Route[]): Route {
  if (routes.length === 1) return routes[0]!;
  const route = routes.find((r) => r.path === event.resource && r.method === event.httpMethod);
  if (!route) throw new Error(`No route of this function matches ${event.httpMethod} ${event.resource}`);
  return route;
}

function stateOf(event: APIGatewayProxyEvent, routes: readonly Route[]): State {
  let state = invocations.get(event);
  if (!state) {
    state = {
      route: routeOf(event, routes),
      started: performance.now(),
      requestId: event.requestContext?.requestId ?? '',
      deferred: [],
    };
    invocations.set(event, state);
  }
  return state;
}

/** Runs the invocation's deferred tasks (see `afterResponse`), each to completion. */
async function runDeferred(event: APIGatewayProxyEvent): Promise<void> {
  const state = invocations.get(event);
  while (state?.deferred.length) {
    const tasks = state.deferred.splice(0);
    await Promise.all(
      tasks.map((task) =>
        task().catch((error: unknown) =>
          logger.error('deferred task failed', { error: describeError(error) }),
        ),
      ),
    );
  }
}

/** Adds request id to logs, and records requests, errors and latency per route. */
const observe = (
  routes: readonly Route[],
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  before: async function startRequest(request) {
    const state = stateOf(request.event, routes);
    state.requestId ||= request.context.awsRequestId;
    logger.appendKeys({ request_id: state.requestId, route: `${state.route.method} ${state.route.path}` });
  },
  after: async function recordOutcome(request) {
    record(stateOf(request.event, routes), request.response?.statusCode ?? 200);
  },
  onError: async function answerError(request) {
    const state = stateOf(request.event, routes);
    const error = request.error;
    noteRefusal(state, error);
    const response = errorResponse(error, state.requestId, state.route.errorStyle);
    if (!(error instanceof GatewayError) || response.statusCode >= 500) {
      logger.error('request failed', { error: describeError(error), status: response.statusCode });
    }
    request.response = response;
    record(state, response.statusCode);
  },
});

/**
 * Queues a security refusal for the audit trail, after the response: every refusal on a route
 * that changes something, and every 403 (a role or scope refusal, also on reads of secrets).
 */
function noteRefusal(state: State, error: unknown): void {
  if (!(error instanceof GatewayError) || !error.refusal || !state.caller) return;
  if (state.route.method === 'GET' && error.statusCode !== 403) return;
  const { principal, deps, sourceIp } = state.caller;
  const refusal = error.refusal;
  state.deferred.push(() =>
    recordRefusal(deps, {
      actor: { keyId: principal.keyId, requestId: state.requestId, sourceIp },
      role: principal.role,
      route: `${state.route.method} ${state.route.path}`,
      code: error.code,
      refusal,
    }),
  );
}

function record(state: State, status: number): void {
  const elapsed = performance.now() - state.started;
  logger.info('request', { status, latency_ms: Math.round(elapsed * 100) / 100 });
  metrics.addDimension('route', `${state.route.method} ${state.route.path}`);
  metrics.addMetric('requests', MetricUnit.Count, 1);
  if (status >= 400) metrics.addMetric(status >= 500 ? 'errors_5xx' : 'errors_4xx', MetricUnit.Count, 1);
  metrics.addMetric('latency', MetricUnit.Milliseconds, elapsed);
  metrics.publishStoredMetrics();
  logger.resetKeys();
}

/**
 * Builds the Lambda handler of a function from its route (or routes: the same function may serve
 * several paths, such as `/v1/chat/completions` and the brief's `/api/providers/chat`): request id,
 * authorization by the route's access class, input validation from the route's schemas, the error
 * envelope and metrics. The implementation only sees validated input and returns a body (or a
 * {@link Reply}). A function imports only its own routes, so its bundle carries only their schemas.
 */
export function defineHandler<B = unknown, Q = unknown, P = unknown>(
  served: Route | readonly Route[],
  impl: Impl<B, Q, P>,
) {
  const routes: readonly Route[] = Array.isArray(served) ? served : [served as Route];
  const streams = routes[0]?.streams ?? false;
  if (routes.length === 0 || routes.some((r) => r.fn !== routes[0]!.fn || r.streams !== streams)) {
    throw new Error('A handler serves one or more routes of one function, all streaming or none');
  }
  const build = (deps: Gateway) => pipelineFor(deps, routes, impl as Impl<unknown, unknown, unknown>);
  if (streams) {
    return bindToContainer<StreamingHandler>(
      (deps) => streamingHandler(build(deps)),
      (handler) => streamifyResponse(handler),
    );
  }
  return bindToContainer<BufferedHandler>((deps) => bufferedHandler(build(deps)));
}

type Pipeline = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
/** A buffered Lambda handler: the proxy result is returned. */
export type BufferedHandler = Pipeline;
/** A response-streaming Lambda handler: the result is written to the stream. */
export type StreamingHandler = (
  event: APIGatewayProxyEvent,
  stream: Writable,
  context: Context,
) => Promise<void>;

/** The middy pipeline of one function over one gateway instance. */
function pipelineFor(
  deps: Gateway,
  routes: readonly Route[],
  impl: Impl<unknown, unknown, unknown>,
): Pipeline {
  const lambdaHandler = async (
    event: APIGatewayProxyEvent,
    context: Context,
  ): Promise<APIGatewayProxyResult> => {
    const state = stateOf(event, routes);
    const { route } = state;
    let principal = undefined as unknown as Principal;
    const sourceIp = event.requestContext?.identity?.sourceIp ?? '';
    if (route.access !== 'public') {
      principal = principalFromEvent(event);
      state.caller = { principal, deps, sourceIp };
      if (!allows(route.access, principal.role))
        throw new ForbiddenError(undefined, { refusal: { reason: 'role' } });
    }
    const params = parseParams(route, event);
    const query = parseQuery(route, event);
    const body = parseBody(route, event, deps.config.MAX_ADMIN_BODY_BYTES);
    const result = await impl({
      body,
      query,
      params,
      principal,
      requestId: state.requestId,
      receivedAt: state.started,
      sourceIp,
      headers: lowerHeaders(event),
      deps,
      event,
      context,
      afterResponse: (task) => state.deferred.push(task),
    });
    const reply = result instanceof Reply ? result : new Reply(route.successStatus, result);
    return replyResponse(reply, state.requestId);
  };
  // Tracing wraps the whole invocation; the error envelope is the last middleware to run.
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(lambdaHandler)
    .use(tracingMiddleware() as middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>)
    .use(observe(routes));
}

/** The deferred tasks run once the response is complete: on a streaming route, after its end. */
function streamingHandler(pipeline: Pipeline): StreamingHandler {
  return async (event, stream, context) => {
    try {
      await writeResponse(stream, await pipeline(event, context));
    } finally {
      await runDeferred(event);
    }
  };
}

/** On a buffered route the deferred tasks run just before the response is returned. */
function bufferedHandler(pipeline: Pipeline): BufferedHandler {
  return async (event, context) => {
    try {
      return await pipeline(event, context);
    } finally {
      await runDeferred(event);
    }
  };
}

/**
 * Writes a proxy result to Lambda's response stream: the prelude (status, headers), then the body —
 * a whole string in one write, or a `Readable` piped chunk by chunk as it is produced.
 */
async function writeResponse(stream: Writable, response: APIGatewayProxyResult): Promise<void> {
  const { body, ...prelude } = response;
  const out = httpResponseStream(stream, prelude as HttpResponsePrelude);
  const value = body as unknown;
  if (value instanceof Readable) {
    try {
      await pipeline(value, out);
    } catch (error) {
      // The client left: the body's own clean-up (a stream's `finally`: cancel the upstream call,
      // close the books, defer the usage write) must run before the deferred tasks do.
      if (!value.closed) await new Promise((resolve) => value.once('close', resolve));
      throw error;
    }
    return;
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(typeof value === 'string' ? value : '', () => resolve());
  });
}

/** The actor of a request, recorded on what it writes. */
export function actorOf(
  request: Pick<HandlerRequest<unknown, unknown, unknown>, 'principal' | 'requestId' | 'sourceIp'>,
) {
  return { keyId: request.principal.keyId, requestId: request.requestId, sourceIp: request.sourceIp };
}
