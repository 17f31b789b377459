import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/** One error that API Gateway answers itself, before (or instead of) any handler. */
interface GatewayError {
  type: apigateway.ResponseType;
  /** Omitted for the DEFAULT_* families: each member keeps its own status (429, 504, ...). */
  statusCode?: string;
  code: string;
  /** A JSON string literal, or `$context.error.messageString` (already quoted by API Gateway). */
  message: string;
}

const quoted = (text: string) => JSON.stringify(text);

/**
 * API Gateway's own errors in the gateway's envelope, `{"error":{"code","message","request_id"}}`,
 * with the codes `lib/errors.ts` uses, so a client cannot tell whether API Gateway or a handler
 * refused it. `request_id` is `$context.requestId`, the id handlers see as `requestContext.requestId`.
 */
export const GATEWAY_ERRORS: readonly GatewayError[] = [
  {
    // Every authorizer refusal (no key, malformed, unknown, revoked, expired): one body, no echo.
    type: apigateway.ResponseType.UNAUTHORIZED,
    statusCode: '401',
    code: 'unauthorized',
    message: quoted('A valid API key is required.'),
  },
  {
    type: apigateway.ResponseType.ACCESS_DENIED,
    statusCode: '403',
    code: 'forbidden',
    message: quoted('This API key may not call this route.'),
  },
  {
    type: apigateway.ResponseType.THROTTLED,
    statusCode: '429',
    code: 'rate_limited',
    message: quoted('Too many requests; retry shortly.'),
  },
  {
    // API Gateway's answer to a path or method no route defines is a 403 "Missing Authentication
    // Token"; the local runtime answers 404, and so does this.
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    code: 'not_found',
    message: quoted('No such route.'),
  },
  {
    type: apigateway.ResponseType.REQUEST_TOO_LARGE,
    statusCode: '413',
    code: 'payload_too_large',
    message: quoted('The request is larger than API Gateway accepts (10 MB).'),
  },
  {
    type: apigateway.ResponseType.INTEGRATION_TIMEOUT,
    statusCode: '504',
    code: 'timeout',
    message: quoted('The request took too long.'),
  },
  {
    type: apigateway.ResponseType.DEFAULT_4XX,
    code: 'bad_request',
    message: '$context.error.messageString',
  },
  {
    // Never `$context.error.message` here: 5xx text can name internals (authorizer, integration).
    type: apigateway.ResponseType.DEFAULT_5XX,
    code: 'internal_error',
    message: quoted('An internal error occurred.'),
  },
];

/** The response template of one gateway error. */
export function envelopeTemplate(error: Pick<GatewayError, 'code' | 'message'>): string {
  return `{"error":{"code":${quoted(error.code)},"message":${error.message},"request_id":"$context.requestId"}}`;
}

/** Adds every {@link GATEWAY_ERRORS} response to the API, as JSON. */
export function addGatewayResponses(api: apigateway.RestApi): void {
  for (const error of GATEWAY_ERRORS) {
    api.addGatewayResponse(`Error${error.type.responseType}`, {
      type: error.type,
      ...(error.statusCode ? { statusCode: error.statusCode } : {}),
      responseHeaders: { 'Content-Type': "'application/json'" },
      templates: { 'application/json': envelopeTemplate(error) },
    });
  }
}
