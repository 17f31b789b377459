import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Where writes that failed after their retries wait to be replayed (an SQS queue in AWS). */
export interface ParkQueue {
  /** Sends one message; resolves once SQS has stored it (the SDK retries throttling, 5 attempts). */
  send(body: string): Promise<void>;
}

type Sdk = { client: SQSClient; Send: typeof SendMessageCommand };

/**
 * A {@link ParkQueue} on SQS `SendMessage`. The SDK is loaded on the first park (most containers
 * never park anything) and the client reused by the container.
 *
 * Failure modes: an SQS error after the SDK's attempts is rethrown (the caller logs the record as
 * the last resort); a body over 256 KiB is refused by SQS.
 */
export function sqsParkQueue(options: { queueUrl: string; region: string; client?: SQSClient }): ParkQueue {
  let sdk: Promise<Sdk> | undefined;
  const open = () => {
    sdk ??= import('@aws-sdk/client-sqs').then((m) => ({
      client: options.client ?? new m.SQSClient({ region: options.region, maxAttempts: 5 }),
      Send: m.SendMessageCommand,
    }));
    return sdk;
  };
  return {
    async send(body) {
      const { client, Send } = await open();
      await client.send(new Send({ QueueUrl: options.queueUrl, MessageBody: body }));
    },
  };
}
