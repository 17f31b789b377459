import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { redactSecrets } from './redact.js';

const SERVICE = process.env.POWERTOOLS_SERVICE_NAME ?? 'ai-gateway';

/**
 * The process's structured JSON logger. It never logs events or bodies; handlers add only the
 * request id, route and outcome. Error messages pass through {@link redactSecrets}.
 */
export const logger = new Logger({
  serviceName: SERVICE,
  logLevel: (process.env.LOG_LEVEL ?? 'INFO').toUpperCase() as 'INFO',
});

/** CloudWatch embedded-metric-format metrics: requests, errors and latency per route. */
export const metrics = new Metrics({ namespace: 'AiGateway', serviceName: SERVICE });
export { MetricUnit };

/** A loggable, secret-free summary of an error (name, redacted message, redacted stack). */
export function describeError(error: unknown): Record<string, string> {
  if (!(error instanceof Error))
    return { name: 'NonError', message: redactSecrets(String(error)).slice(0, 500) };
  return {
    name: error.name,
    message: redactSecrets(error.message).slice(0, 1000),
    stack: redactSecrets(error.stack ?? '').slice(0, 4000),
  };
}
