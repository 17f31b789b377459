import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../errors.js';
import { translateStoreError } from './errors.js';
import type { ItemKey } from './keys.js';
import type { Item } from './query.js';

/** One write of a batch: a put of a whole item, or a delete by key. Neither takes a condition. */
export type BatchWrite = { put: Item } | { delete: ItemKey };

/** Requests per `BatchWriteItem`: DynamoDB's limit. */
const CHUNK = 25;
/** Sends per chunk while DynamoDB hands back unprocessed requests (it does so when throttled). */
const MAX_SENDS = 6;
/** Full-jitter backoff before resending unprocessed requests: base × 2^(send−1), capped. */
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 2_000;

type Request = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: ItemKey } };

const toRequest = (write: BatchWrite): Request =>
  'put' in write ? { PutRequest: { Item: write.put } } : { DeleteRequest: { Key: write.delete } };

/**
 * Writes `writes` in chunks of 25, one chunk after the other. DynamoDB may leave some requests of
 * a chunk unprocessed (throttling): they are resent after a jittered backoff, at most
 * {@link MAX_SENDS} sends per chunk. Puts and deletes are idempotent, so a resend is safe. Not
 * atomic: chunks before a failure stay written.
 *
 * @throws ServiceUnavailableError `storage_throttled` when requests stay unprocessed, or the table
 *   throttles past the SDK's retries; other SDK errors as they are.
 */
export async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  writes: readonly BatchWrite[],
): Promise<void> {
  for (let start = 0; start < writes.length; start += CHUNK) {
    let pending: Request[] = writes.slice(start, start + CHUNK).map(toRequest);
    for (let send = 1; pending.length > 0; send++) {
      if (send > MAX_SENDS) {
        throw new ServiceUnavailableError('Storage is busy; retry shortly.', {
          code: 'storage_throttled',
          retryAfterSeconds: 1,
        });
      }
      if (send > 1) await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (send - 2)));
      const out = await client
        .send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }))
        .catch(translateStoreError);
      pending = (out.UnprocessedItems?.[tableName] ?? []) as Request[];
    }
  }
}
