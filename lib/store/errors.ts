import { ServiceUnavailableError } from '../errors.js';

const THROTTLES = new Set([
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
 * faults become a 503 with `Retry-After` (safe to retry: nothing was written); everything else is
 * rethrown untouched for the error handler to answer as a generic 500.
 */
export function translateStoreError(error: unknown): never {
  if (error instanceof Error && THROTTLES.has(error.name)) {
    throw new ServiceUnavailableError('Storage is busy; retry shortly.', {
      code: 'storage_throttled',
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  throw error;
}
