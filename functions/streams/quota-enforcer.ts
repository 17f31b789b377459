import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { bindToContainer } from '../../lib/runtime/container.js';
import { enforceQuotas } from '../../lib/services/quotas/enforcer.js';

/**
 * Consumer of the table's change stream (see `lib/streams/consumers.ts`): rolls hourly usage
 * counters up to days and months and writes quota states. Returns a partial batch response; an
 * unexpected error fails the whole batch (Lambda bisects it).
 */
export const handler = bindToContainer(
  (deps) =>
    (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
      enforceQuotas(deps, event.Records),
);
