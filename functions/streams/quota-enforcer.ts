import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { getDeps } from '../../lib/runtime/deps.js';
import { enforceQuotas } from '../../lib/services/quotas/enforcer.js';

/**
 * Consumer of the table's change stream (see `lib/streams/consumers.ts`): rolls hourly usage
 * counters up to days and months and writes quota states. Returns a partial batch response; an
 * unexpected error fails the whole batch (Lambda bisects it).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  enforceQuotas(getDeps(), event.Records);
