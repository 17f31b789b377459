import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';

/**
 * The failures a stream consumer reports: sequence numbers of records it could not process.
 * Lambda (with `ReportBatchItemFailures`) retries the batch from the lowest one reported; every
 * record before it is checkpointed as done.
 */
export class BatchFailures {
  private readonly failed = new Set<string>();

  /** Marks a record (by sequence number) as failed. */
  add(sequenceNumber: string): void {
    this.failed.add(sequenceNumber);
  }

  get size(): number {
    return this.failed.size;
  }

  /** The partial batch response, lowest sequence number first. */
  response(): DynamoDBBatchResponse {
    return {
      batchItemFailures: [...this.failed].sort(compareSequence).map((itemIdentifier) => ({ itemIdentifier })),
    };
  }
}

/** Orders stream sequence numbers (decimal strings of varying length) numerically. */
export function compareSequence(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The smaller of two sequence numbers. */
export const minSequence = (a: string, b: string) => (compareSequence(a, b) <= 0 ? a : b);

/** A record's sequence number (every DynamoDB stream record has one). */
export function sequenceOf(record: DynamoDBRecord): string {
  return String(record.dynamodb?.SequenceNumber ?? '');
}
