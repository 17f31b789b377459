import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { writeAuditEvents } from '../../lib/audit/writer.js';
import { bindToContainer } from '../../lib/runtime/container.js';

/**
 * Consumer of the table's change stream (see `lib/streams/consumers.ts`): appends an audit event
 * to the hash chain for every change of a provider, model, credential, routing rule, quota, API
 * key or incident, and every security refusal. Returns a partial batch response; replays of a
 * record are no-ops.
 */
export const handler = bindToContainer(
  (deps) =>
    async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
      (await writeAuditEvents(deps, event.Records)).response,
);
