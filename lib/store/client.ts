import type { Config } from '../config.js';
import { DocumentClient } from './document-client.js';

/**
 * Creates the DynamoDB document client: once per container, then injected. `DYNAMODB_ENDPOINT`
 * points the same code at another DynamoDB (the embedded one, or any compatible server).
 * Retries are bounded (3 attempts, the SDK's standard mode) so a throttled table surfaces as a 503.
 */
export function createDocumentClient(
  config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>,
): DocumentClient {
  return DocumentClient.create({
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
    maxAttempts: 3,
  });
}
