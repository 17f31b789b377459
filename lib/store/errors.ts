import { sdkErrorFacts } from '../aws/sdk-error.js';
import { ServiceUnavailableError } from '../errors.js';

/**
 * DynamoDB's throttling and transient server faults, by error name. Read by name because the SDK
 * marks only some of them with `$retryable` (its model gives `ProvisionedThroughputExceededException`
 * no retry trait; the retry strategy classifies it by name, as here).
 */
const BUSY = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** True when DynamoDB refused a conditional write (the domain decides what that means). */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Translates an SDK error that survived the SDK's own bounded retries: throttling and transient
 * service faults (by name, or marked retryable by the SDK's model, such as a replicated-write
 * conflict) become a 503 with `Retry-After` (safe to retry: DynamoDB wrote nothing). Everything
 * else is rethrown untouched for the error handler to answer as a generic 500: access denied, a
 * missing table, and an ambiguous connection failure (timeout, reset), after which the write may
 * or may not have been applied.
 */
export function translateStoreError(error: unknown): never {
  const facts = sdkErrorFacts(error);
  if (error instanceof Error && (BUSY.has(facts.name) || (facts.retryable && facts.status !== undefined))) {
    throw new ServiceUnavailableError('Storage is busy; retry shortly.', {
      code: 'storage_throttled',
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  throw error;
}
