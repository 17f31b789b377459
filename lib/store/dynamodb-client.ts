/**
 * The gateway's DynamoDB client: the JSON protocol (`POST /`, `X-Amz-Target:
 * DynamoDB_20120810.<Operation>`) signed with SigV4 over one keep-alive undici pool. It replaces the
 * AWS SDK's client on every path: a request costs a fraction of the SDK's CPU (no middleware stack,
 * no schema serde, a cached signing key) and the SDK stays out of the function bundles.
 *
 * It keeps the SDK's observable contract, which the rest of the code (and `store/errors.ts`,
 * `aws/sdk-error.ts`) reads: a DynamoDB error is an `Error` whose `name` is the exception's type
 * (`ConditionalCheckFailedException`, ...), with `$fault`, `$metadata.httpStatusCode`,
 * `$metadata.requestId`, `$retryable` on throttling, and the error's own fields
 * (`CancellationReasons`). Retries follow the SDK's standard mode: at most `maxAttempts` (3)
 * attempts for throttling, 5xx and connection faults, with full-jitter exponential backoff (base
 * 100 ms, 500 ms for throttling, capped at 20 s). As with the SDK, an `ADD` retried after an
 * ambiguous connection fault can apply twice.
 */

import { type CredentialSource, defaultCredentials, staticCredentials } from '../aws/credentials.js';
import { SigV4Signer } from '../aws/sigv4.js';
import { Pool } from '../net/undici.js';

export interface DynamoDbClientOptions {
  region: string;
  /** Another DynamoDB (the embedded one); default `https://dynamodb.<region>.amazonaws.com`. */
  endpoint?: string | undefined;
  /**
   * A Unix domain socket to dial instead of the endpoint's host (the embedded DynamoDB). The
   * endpoint then only names the `Host` the requests carry and sign; local credentials are used.
   */
  socketPath?: string | undefined;
  credentials?: CredentialSource;
  /** Attempts per operation, first included (default 3). */
  maxAttempts?: number;
  /** Milliseconds a response may take to start, and between body chunks (default 10 s). */
  timeoutMs?: number;
}

/** A DynamoDB error, shaped like the AWS SDK's service exceptions. */
export class DynamoDbError extends Error {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string; attempts: number };
  $retryable?: { throttling: boolean };
  [field: string]: unknown;

  constructor(
    name: string,
    message: string,
    input: { status?: number; requestId?: string; attempts: number; retryable: boolean; throttling: boolean },
  ) {
    super(message);
    this.name = name;
    this.$fault = input.status !== undefined && input.status < 500 ? 'client' : 'server';
    this.$metadata = {
      ...(input.status !== undefined ? { httpStatusCode: input.status } : {}),
      ...(input.requestId ? { requestId: input.requestId } : {}),
      attempts: input.attempts,
    };
    if (input.retryable) this.$retryable = { throttling: input.throttling };
  }
}

/** The SDK's throttling error codes (retried with the longer base delay). */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
]);
/** Connection faults retried like the SDK's transient errors. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const MAX_BACKOFF_MS = 20_000;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoDbClient {
  readonly endpoint: URL;
  private readonly pool: Pool;
  private readonly signer: SigV4Signer;
  private readonly credentials: CredentialSource;
  private readonly maxAttempts: number;
  private readonly observers = new Set<(operation: string) => void>();

  constructor(options: DynamoDbClientOptions) {
    this.endpoint = new URL(options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com`);
    const local = options.socketPath !== undefined || LOCAL_HOSTS.has(this.endpoint.hostname);
    this.credentials =
      options.credentials ??
      (local ? staticCredentials({ accessKeyId: 'local', secretAccessKey: 'local' }) : defaultCredentials());
    this.signer = new SigV4Signer(options.region, 'dynamodb');
    this.maxAttempts = options.maxAttempts ?? 3;
    const timeout = options.timeoutMs ?? 10_000;
    this.pool = new Pool(this.endpoint.origin, {
      connections: 64,
      keepAliveTimeout: 10_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout, ...(options.socketPath !== undefined ? { socketPath: options.socketPath } : {}) },
    });
  }

  /** Calls `observer` with each operation's name as it is sent (counting calls in tests, benchmarks). */
  observe(observer: (operation: string) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Sends one operation (wire-format input: attribute values already marshalled). */
  async call<T = Record<string, unknown>>(operation: string, input: object): Promise<T> {
    for (const observer of this.observers) observer(operation);
    const body = JSON.stringify(input);
    for (let attempt = 1; ; attempt++) {
      let error: DynamoDbError;
      try {
        const out = await this.once(operation, body, attempt);
        if (!(out instanceof DynamoDbError)) return out as T;
        error = out;
      } catch (cause) {
        const code = (cause as { code?: unknown }).code;
        if (typeof code !== 'string' || !TRANSIENT_CODES.has(code) || attempt >= this.maxAttempts)
          throw cause;
        await sleep(backoff(attempt, false));
        continue;
      }
      if (!error.$retryable || attempt >= this.maxAttempts) throw error;
      await sleep(backoff(attempt, error.$retryable.throttling));
    }
  }

  /** Closes the pooled connections. */
  destroy(): void {
    void this.pool.close().catch(() => undefined);
  }

  private async once(operation: string, body: string, attempt: number): Promise<unknown> {
    const headers = this.signer.sign({
      host: this.endpoint.host,
      body,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      credentials: await this.credentials(),
      nowMs: Date.now(),
    });
    const response = await this.pool.request({ path: '/', method: 'POST', headers, body });
    const text = await response.body.text();
    if (response.statusCode === 200) return JSON.parse(text);
    return toError(response.statusCode, response.headers['x-amzn-requestid'], text, attempt);
  }
}

/** Full jitter: a random delay below base × 2^(attempt-1), capped. */
function backoff(attempt: number, throttling: boolean): number {
  const base = throttling ? 500 : 100;
  return Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** (attempt - 1));
}

function toError(status: number, requestId: unknown, text: string, attempts: number): DynamoDbError {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a non-JSON body (a proxy's error page): the status alone classifies it
  }
  const type = typeof parsed.__type === 'string' ? parsed.__type : '';
  const name =
    type.slice(type.lastIndexOf('#') + 1) || (status >= 500 ? 'InternalServerError' : 'UnknownError');
  const message = String(parsed.message ?? parsed.Message ?? `DynamoDB answered ${status}`);
  const throttling = THROTTLING.has(name);
  const error = new DynamoDbError(name, message, {
    status,
    ...(typeof requestId === 'string' ? { requestId } : {}),
    attempts,
    retryable: throttling || status >= 500,
    throttling,
  });
  for (const [field, value] of Object.entries(parsed)) {
    if (field !== '__type' && field !== 'message' && field !== 'Message') error[field] = value;
  }
  return error;
}
