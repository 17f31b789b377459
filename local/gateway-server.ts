import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import {
  GatewayError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../lib/errors.js';
import { errorResponse } from '../lib/http/response.js';
import { describeError, logger } from '../lib/observability.js';
import type { GatewayHandler } from '../lib/runtime/container.js';
import type { Gateway } from '../lib/runtime/gateway.js';
import { bodyFields, lambdaContext, toAuthorizerEvent, toProxyEvent } from './event.js';
import { createResponseStream } from './response-stream.js';
import { matchRoute } from './router.js';
import { serveStatic } from './static-files.js';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type StreamingHandler = (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>;
type Authorizer = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** API Gateway's own payload limit (10 MB); routes enforce their smaller limits in the handler. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

type Loaded = ProxyHandler | StreamingHandler;

/**
 * A loader of function handlers over one gateway instance: imports `functions/<fn>.ts` once (as
 * Lambda loads a function) and builds its `handler` for `deps`.
 */
export function handlerLoader(deps: Gateway): (fn: string) => Promise<Loaded> {
  const loaded = new Map<string, Promise<Loaded>>();
  return (fn) => {
    let handler = loaded.get(fn);
    if (!handler) {
      // Route functions are `<group>/<name>`; two template parts keep bundlers' glob imports exact.
      const [group, name] = fn.split('/');
      handler = import(`../functions/${group}/${name}.ts`).then((mod: { handler: GatewayHandler<Loaded> }) =>
        mod.handler.forGateway(deps),
      );
      loaded.set(fn, handler);
    }
    return handler;
  };
}

/** Reads the request body (at most API Gateway's 10 MB; a larger declared length is refused unread). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  if (Number(req.headers['content-length']) > MAX_PAYLOAD_BYTES)
    return Promise.reject(new PayloadTooLargeError(MAX_PAYLOAD_BYTES));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) {
        reject(new PayloadTooLargeError(MAX_PAYLOAD_BYTES));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body ?? '', 'utf8');
  res.writeHead(result.statusCode, { ...headers, 'content-length': String(body.length) });
  res.end(body);
}

/** Whether the request has body bytes not yet received (`complete` alone is false until parsed). */
function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Answers with an error. A body still on its way is left unread: the answer says `connection:
 * close` and Node closes the socket once it is written, instead of draining megabytes first.
 */
function sendError(req: IncomingMessage, res: ServerResponse, error: unknown, requestId: string): void {
  if (bodyPending(req)) res.setHeader('connection', 'close');
  send(res, errorResponse(error, requestId));
}

/** Runs the authorizer like API Gateway: Allow attaches its context; anything else is one 401. */
async function authorize(authorizer: Authorizer, event: APIGatewayProxyEvent): Promise<void> {
  let result: APIGatewayAuthorizerResult;
  try {
    result = await authorizer(toAuthorizerEvent(event));
  } catch {
    throw new UnauthorizedError();
  }
  const allowed = result.policyDocument.Statement.some((s) => 'Effect' in s && s.Effect === 'Allow');
  if (!allowed) throw new UnauthorizedError();
  event.requestContext.authorizer = { principalId: result.principalId, ...result.context };
}

/** The local gateway's HTTP server; `idle()` settles once every invocation (and its after-response work) has. */
export interface GatewayServer extends Server {
  idle(): Promise<void>;
}

export interface GatewayServerOptions {
  /** The gateway instance every handler of this server runs over. */
  deps: Gateway;
  authorizer: Authorizer;
  /** Invocations served at once (`LOCAL_MAX_IN_FLIGHT`); one more is answered 503 `overloaded`. */
  maxInFlight: number;
}

/**
 * The local stand-in for API Gateway: matches the route table, runs the REQUEST authorizer on a
 * protected route's head (as API Gateway does, before any body is read: a request without a valid
 * key is refused unread), then reads the body, builds the REST proxy event and invokes the same
 * handler module Lambda would. At most `maxInFlight` invocations run at once, each counted until
 * its handler (a stream included) and its after-response work have finished; beyond that the
 * answer is 503 `overloaded` with `retry-after`, again without reading the body. A client sending
 * `Expect: 100-continue` is told to send its body only once the key has been accepted.
 */
export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const loadHandler = handlerLoader(options.deps);
  const inflight = new Set<Promise<void>>();
  const admit = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    if (inflight.size >= options.maxInFlight) {
      const busy = new ServiceUnavailableError(
        'The gateway is at its limit of requests in flight; retry shortly.',
        {
          code: 'overloaded',
          retryAfterSeconds: 1,
        },
      );
      sendError(req, res, busy, crypto.randomUUID());
      return;
    }
    const invocation = serve(req, res, expectsContinue);
    inflight.add(invocation);
    void invocation.finally(() => inflight.delete(invocation));
  };
  const server = createServer((req, res) => admit(req, res, false));
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => admit(req, res, true));
  return Object.assign(server, {
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  });

  async function serve(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
    const requestId = crypto.randomUUID();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = matchRoute(req.method ?? 'GET', url.pathname);
      if (match.kind === 'not_found') {
        // The operator dashboard's files, for GETs no API route claims.
        if (await serveStatic(res, { method: req.method ?? 'GET', pathname: url.pathname })) return;
        throw new GatewayError(404, 'route_not_found', 'No such route.');
      }
      if (match.kind === 'method_not_allowed') {
        throw new GatewayError(405, 'method_not_allowed', 'Method not allowed on this route.', {
          headers: { allow: match.allowed.join(', ') },
        });
      }
      const event = toProxyEvent({ req, url, route: match.route, pathParameters: match.pathParameters });
      if (match.route.access !== 'public') await authorize(options.authorizer, event);
      if (expectsContinue) res.writeContinue();
      Object.assign(event, bodyFields(req, await readBody(req)));
      const handler = await loadHandler(match.route.fn);
      const context = lambdaContext(match.route.fn.replace('/', '-'));
      if (match.route.streams) {
        await (handler as StreamingHandler)(event, createResponseStream(res), context);
      } else {
        send(res, await (handler as ProxyHandler)(event, context));
      }
    } catch (error) {
      // A client that hangs up mid-stream is no failure of the runtime (the stream counted it).
      if (res.destroyed && res.headersSent)
        logger.info('client left mid-response', { request_id: requestId });
      else if (!(error instanceof GatewayError))
        logger.error('local runtime failure', { error: describeError(error) });
      if (!res.headersSent) sendError(req, res, error, requestId);
      else res.destroy();
    }
  }
}
