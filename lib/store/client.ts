import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';

/**
 * Creates the DynamoDB document client: once per container, then injected. `DYNAMODB_ENDPOINT`
 * points the same code at another DynamoDB (the embedded one, or any compatible server).
 * Retries are bounded (SDK standard mode, 3 attempts) so a throttled table surfaces as a 503.
 */
export function createDocumentClient(
  config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>,
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.AWS_REGION,
    maxAttempts: 3,
    ...(config.DYNAMODB_ENDPOINT
      ? {
          endpoint: config.DYNAMODB_ENDPOINT,
          // The embedded DynamoDB accepts any signature; a real endpoint uses the normal chain.
          credentials: isLocalEndpoint(config.DYNAMODB_ENDPOINT)
            ? { accessKeyId: 'local', secretAccessKey: 'local' }
            : undefined,
        }
      : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

function isLocalEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}
