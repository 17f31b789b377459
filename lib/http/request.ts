import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as z from 'zod';
import {
  BadRequestError,
  type GatewayError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  unsupportedParams,
  ValidationError,
} from '../errors.js';
import type { Route } from '../routes/types.js';

import { multipartBoundary, parseMultipart } from './multipart.js';

/** Lower-cased single-value headers (API Gateway keeps the caller's casing). */
export function lowerHeaders(event: Pick<APIGatewayProxyEvent, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

/** Zod issues as caller-safe details: the field path and the rule, never the value. */
function issueDetails(issues: readonly z.core.$ZodIssue[]): Array<{ field: string; message: string }> {
  return issues.slice(0, 20).map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = issue.path.map(String).join('.');
    return keys.length
      ? {
          field: keys.map((k) => k.slice(0, 64)).join(', '),
          message: path ? `unknown field in ${path}` : 'unknown field',
        }
      : { field: path || '(body)', message: issue.message.slice(0, 200) };
  });
}

/** Path parameters of the route; an id that cannot exist is a 404 before anything is read. */
export function parseParams(route: Route, event: APIGatewayProxyEvent): unknown {
  if (!route.params) return {};
  const parsed = route.params.safeParse(event.pathParameters ?? {});
  if (!parsed.success) throw new NotFoundError(route.tag === 'models' ? 'Model' : 'Object');
  return parsed.data;
}

/** Query string of the route: unknown, repeated or malformed parameters are a 400. */
export function parseQuery(route: Route, event: APIGatewayProxyEvent): unknown {
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multi)) {
    if ((values?.length ?? 0) > 1) {
      throw new BadRequestError(`Query parameter ${name.slice(0, 64)} is repeated.`, {
        code: 'invalid_query',
      });
    }
  }
  const raw = event.queryStringParameters ?? {};
  if (!route.query) return {};
  const parsed = route.query.safeParse(raw);
  if (!parsed.success) {
    throw new BadRequestError('The query string is invalid.', {
      code: 'invalid_query',
      details: issueDetails(parsed.error.issues),
    });
  }
  return parsed.data;
}

/** The JSON body of the route, checked for media type, size, syntax and schema, in that order. */
export function parseBody(route: Route, event: APIGatewayProxyEvent, defaultMaxBytes: number): unknown {
  if (!route.body) return undefined;
  const headers = lowerHeaders(event);
  if (route.bodyType === 'multipart') return parseForm(route, event, route.maxBodyBytes ?? defaultMaxBytes);
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const limit = route.maxBodyBytes ?? defaultMaxBytes;
  if (Buffer.byteLength(text, 'utf8') > limit) throw new PayloadTooLargeError(limit);
  if (text.trim() === '')
    throw new BadRequestError('A JSON request body is required.', { code: 'missing_body' });
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new UnsupportedMediaTypeError('application/json');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequestError('The request body is not valid JSON.', { code: 'invalid_json' });
  }
  const parsed = route.body.safeParse(json);
  if (!parsed.success) throw bodyError(parsed.error);
  return parsed.data;
}

/**
 * The error of a refused body: a 400 named by the schema when it marked something the gateway does
 * not offer (`lib/schemas/unsupported.ts`), else the 422 of a field rule.
 */
function bodyError(error: z.ZodError): GatewayError {
  const marked = error.issues.filter((issue) => unsupportedParams(issue) !== undefined);
  const first = marked[0];
  if (first === undefined) {
    return new ValidationError('The request body is invalid.', { details: issueDetails(error.issues) });
  }
  const path = first.path.map(String).join('.');
  return new BadRequestError(`${path}: ${first.message}`.slice(0, 300), {
    code: unsupportedParams(first)!.code,
    details: issueDetails(marked),
  });
}

/**
 * A `multipart/form-data` body: text fields validated by the route's schema (422 otherwise), file
 * parts attached beside them by name as `{data, filename, content_type}`.
 */
function parseForm(route: Route, event: APIGatewayProxyEvent, limit: number): unknown {
  const boundary = multipartBoundary(lowerHeaders(event)['content-type']);
  if (!boundary) throw new UnsupportedMediaTypeError('multipart/form-data');
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const fields: Record<string, string> = {};
  const files: Record<string, { data: Uint8Array; filename: string; content_type: string }> = {};
  for (const part of parseMultipart(body, boundary, limit)) {
    if (part.filename === undefined) fields[part.name] = part.data.toString('utf8');
    else {
      files[part.name] = {
        data: part.data,
        filename: part.filename,
        content_type: part.contentType ?? 'application/octet-stream',
      };
    }
  }
  const parsed = route.body!.safeParse(fields);
  if (!parsed.success) {
    throw new ValidationError('The form is invalid.', { details: issueDetails(parsed.error.issues) });
  }
  return { ...(parsed.data as object), ...files };
}
