/** What an AWS SDK v3 error says about itself, read structurally (any thrown value is accepted). */
export interface SdkErrorFacts {
  name: string;
  /** Node socket errors (ECONNRESET, ...) carry only a code, no `$metadata`. */
  code: string | undefined;
  /** The SDK marked the error retryable (throttling, transient faults). */
  retryable: boolean;
  status: number | undefined;
  requestId: string | undefined;
}

/** The facts of an SDK error, never its message (AWS messages name ARNs, accounts and principals). */
export function sdkErrorFacts(err: unknown): SdkErrorFacts {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number; requestId?: string };
  };
  return {
    name: typeof e.name === 'string' ? e.name : 'UnknownError',
    code: typeof e.code === 'string' ? e.code : undefined,
    retryable: Boolean(e.$retryable),
    status: e.$metadata?.httpStatusCode,
    requestId: e.$metadata?.requestId,
  };
}

/** A cause safe to keep on a caller-facing error: the call, the error name and the request id only. */
export function safeCause(call: string, facts: SdkErrorFacts): Error {
  return new Error(
    `${call} failed: ${facts.name}${facts.requestId ? ` (request id ${facts.requestId})` : ''}`,
  );
}
