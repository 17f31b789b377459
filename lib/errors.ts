/**
 * The one error tree of the gateway. Every error a caller can see is a {@link GatewayError}: it
 * carries the HTTP status, a stable machine-readable `code` and a message that is safe to show.
 * Anything else that escapes a handler is an internal fault and is answered with a generic 500
 * whose message reveals nothing (no stack, table name, key material or internal id).
 */
import type * as z from 'zod';

/** Extra, caller-safe facts about an error (e.g. which field failed validation). */
export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>>;

/**
 * Why a request was refused for security reasons (a role, a scope, a credential move, a key
 * escalation). The handler records such refusals in the audit trail; the caller sees only the
 * error itself (a 404 for an object outside its scope reads exactly like a missing one).
 */
export interface Refusal {
  /** `role`, `out_of_scope`, `scoped_key`, `credential_destination`, `credential_delete`, `key_exceeds_caller`, `key_exceeds_team`. */
  reason: string;
  /** The object the caller tried to reach (an id), when there is one. */
  target?: string;
  /** The fields whose change was refused. */
  fields?: string[];
}

export interface GatewayErrorOptions extends ErrorOptions {
  details?: ErrorDetails;
  /** Extra response headers, e.g. `Retry-After` on a 429 or 503. */
  headers?: Record<string, string>;
  /** Set when the refusal matters for security: it is written to the audit trail. */
  refusal?: Refusal;
}

/** Base of every error a caller may see. `expose` is false for 5xx: their message is replaced. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly statusCode: number;
  readonly code: string;
  readonly details: ErrorDetails | undefined;
  readonly headers: Record<string, string>;
  readonly refusal: Refusal | undefined;

  constructor(statusCode: number, code: string, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = statusCode;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
    this.refusal = options.refusal;
  }

  /** Whether the message may be shown to the caller as is. */
  get expose(): boolean {
    return this.statusCode < 500;
  }
}

/** 400: the request is malformed (bad JSON, bad query string, bad cursor). */
export class BadRequestError extends GatewayError {
  override name = 'BadRequestError';
  constructor(message: string, options: GatewayErrorOptions & { code?: string } = {}) {
    super(400, options.code ?? 'bad_request', message, options);
  }
}

/** 422: the request is well-formed but a field breaks a rule (validation). */
export class ValidationError extends GatewayError {
  override name = 'ValidationError';
  constructor(message: string, options: GatewayErrorOptions = {}) {
    super(422, 'validation_error', message, options);
  }
}

/** 401: no usable credentials. One generic message: it never says why, never echoes the key. */
export class UnauthorizedError extends GatewayError {
  override name = 'UnauthorizedError';
  constructor(options: GatewayErrorOptions = {}) {
    super(401, 'unauthorized', 'A valid API key is required.', {
      ...options,
      headers: { 'www-authenticate': 'Bearer', ...options.headers },
    });
  }
}

/** 403: authenticated, but the key's role does not allow this route. */
export class ForbiddenError extends GatewayError {
  override name = 'ForbiddenError';
  constructor(
    message = 'This API key may not perform this operation.',
    options: GatewayErrorOptions & { code?: string } = {},
  ) {
    super(403, options.code ?? 'forbidden', message, options);
  }
}

/** 404: the object does not exist, or the caller may not see it. */
export class NotFoundError extends GatewayError {
  override name = 'NotFoundError';
  constructor(what: string, options: GatewayErrorOptions = {}) {
    super(404, 'not_found', `${what} not found.`, options);
  }
}

/** 409: a stale version, a duplicate unique name, or an object still in use. */
export class ConflictError extends GatewayError {
  override name = 'ConflictError';
  constructor(message: string, options: GatewayErrorOptions & { code?: string } = {}) {
    super(409, options.code ?? 'conflict', message, options);
  }
}

/** 413: the body is larger than the route accepts. */
export class PayloadTooLargeError extends GatewayError {
  override name = 'PayloadTooLargeError';
  constructor(limitBytes: number, options: GatewayErrorOptions = {}) {
    super(413, 'payload_too_large', `The request body exceeds ${limitBytes} bytes.`, options);
  }
}

/** 415: the body is not of a media type the route accepts. */
export class UnsupportedMediaTypeError extends GatewayError {
  override name = 'UnsupportedMediaTypeError';
  constructor(expected: string, options: GatewayErrorOptions = {}) {
    super(415, 'unsupported_media_type', `The request body must be ${expected}.`, options);
  }
}

/** 429: a rate limit or quota refuses the request; `retryAfterSeconds` becomes `Retry-After`. */
export class TooManyRequestsError extends GatewayError {
  override name = 'TooManyRequestsError';
  constructor(
    message: string,
    options: GatewayErrorOptions & { code?: string; retryAfterSeconds?: number } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(options.retryAfterSeconds)));
    }
    super(429, options.code ?? 'rate_limited', message, { ...options, headers });
  }
}

/** 503: a dependency (DynamoDB, KMS) is throttling or unavailable; safe to retry later. */
export class ServiceUnavailableError extends GatewayError {
  override name = 'ServiceUnavailableError';
  constructor(
    message: string,
    options: GatewayErrorOptions & { code?: string; retryAfterSeconds?: number } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
    super(503, options.code ?? 'service_unavailable', message, { ...options, headers });
  }
  override get expose(): boolean {
    return true;
  }
}

/**
 * A request may be well-formed yet ask for something the gateway does not offer (an OpenAI built-in
 * tool, an input item type it cannot translate, background mode). That is a 400 naming the feature,
 * not a 422 field rule: a schema marks such an issue with {@link unsupportedIssue}, and the HTTP
 * layer answers the first marked issue as a {@link BadRequestError} whose message is the issue's own.
 */
export interface UnsupportedParams {
  unsupported: true;
  /** The error code of the 400. */
  code: string;
}

/** A custom zod issue that answers 400 `code` with `message` (which names the field or tool). */
export function unsupportedIssue(
  input: unknown,
  path: (string | number)[],
  message: string,
  code: string,
): z.core.$ZodRawIssue {
  const params: UnsupportedParams = { unsupported: true, code };
  return { code: 'custom', input, path, message, params };
}

/** The marker of an issue raised by {@link unsupportedIssue}, if it is one. */
export function unsupportedParams(issue: z.core.$ZodIssue): UnsupportedParams | undefined {
  if (issue.code !== 'custom') return undefined;
  const params = issue.params as Partial<UnsupportedParams> | undefined;
  return params?.unsupported === true && typeof params.code === 'string'
    ? { unsupported: true, code: params.code }
    : undefined;
}

/** A configuration value is missing or invalid; raised at cold start, names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The local runtime cannot start for a reason outside the configuration's values (its data folder
 * is in use or not writable, its port is taken): one line for the terminal, no stack trace.
 */
export class StartupError extends ConfigError {
  override name = 'StartupError';
}
