import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import type { Route } from '../lib/routes.js';

const STAGE = 'local';
const ACCOUNT = '000000000000';
const API_ID = 'local';

function append(map: Record<string, string[]>, name: string, value: string): void {
  const list = map[name];
  if (list) list.push(value);
  else map[name] = [value];
}

function headerMaps(req: IncomingMessage) {
  const headers: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    append(multi, name, value);
  }
  return { headers, multi };
}

function queryMaps(search: URLSearchParams) {
  if ([...search.keys()].length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of search) {
    single[name] = value;
    append(multi, name, value);
  }
  return { single, multi };
}

/** Whether a body must travel base64-encoded (API Gateway's binary media types). */
function isTextual(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    type === '' ||
    type.startsWith('text/') ||
    type.endsWith('json') ||
    type.endsWith('+json') ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/xml'
  );
}

/**
 * The body fields of a proxy event: binary bodies are base64-encoded with `isBase64Encoded`, as API
 * Gateway does for binary media types; an empty body is `null`.
 */
export function bodyFields(
  req: IncomingMessage,
  body: Buffer,
): Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'> {
  const textual = isTextual(req.headers['content-type']);
  return {
    body: body.length === 0 ? null : textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

/**
 * The API Gateway REST proxy event (payload 1.0) AWS would send for this request, so the handler
 * module runs unchanged. Without `body` it is the event of the request's head alone (what the
 * authorizer sees); {@link bodyFields} adds the body once it has been read.
 */
export function toProxyEvent(input: {
  req: IncomingMessage;
  url: URL;
  body?: Buffer;
  route: Route;
  pathParameters: Record<string, string> | null;
}): APIGatewayProxyEvent {
  const { req, url, route } = input;
  const { headers, multi } = headerMaps(req);
  const query = queryMaps(url.searchParams);
  const now = Date.now();
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders: multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: input.pathParameters,
    stageVariables: null,
    ...bodyFields(req, input.body ?? Buffer.alloc(0)),
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: route.method,
      path: `/${STAGE}${url.pathname}`,
      stage: STAGE,
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: route.fn,
      resourcePath: route.path,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: req.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

/** The REQUEST authorizer event API Gateway sends before invoking a protected route. */
export function toAuthorizerEvent(event: APIGatewayProxyEvent): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:local:${ACCOUNT}:${API_ID}/${STAGE}/${event.httpMethod}${event.resource}`,
    resource: event.resource,
    path: event.path,
    httpMethod: event.httpMethod,
    headers: event.headers as Record<string, string>,
    multiValueHeaders: event.multiValueHeaders as Record<string, string[]>,
    pathParameters: event.pathParameters,
    queryStringParameters: event.queryStringParameters,
    multiValueQueryStringParameters: event.multiValueQueryStringParameters,
    stageVariables: null,
    requestContext: { ...event.requestContext, authorizer: undefined },
  };
}

/** A Lambda context whose remaining time counts down from the function's timeout. */
export function lambdaContext(functionName: string, timeoutMs = 29_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
