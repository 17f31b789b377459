import type { Actor } from '../services/actor.js';
import type { ItemKey } from '../store/keys.js';
import type { Table } from '../store/table.js';

/**
 * Records the deleting request on an item just before it is deleted, so that the stream's REMOVE
 * record (whose old image is the item) names who deleted it: `last_actor`, `last_request_id`,
 * `last_source_ip`, and `delete_request_id` equal to the request id (how the audit writer tells a
 * stamped delete from an unattributed one). The version is left alone, so a versioned delete
 * that follows still checks what the caller read; the stamp alone changes no audited field and
 * makes no audit event. An absent item is left absent.
 */
export async function stampForDelete(table: Table, key: ItemKey, actor: Actor): Promise<void> {
  await table.update({
    key,
    set: {
      last_actor: actor.keyId,
      last_request_id: actor.requestId,
      last_source_ip: actor.sourceIp,
      delete_request_id: actor.requestId,
    },
    condition: 'attribute_exists(pk)',
  });
}
