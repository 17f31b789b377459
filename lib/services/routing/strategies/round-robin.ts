import type { Deps } from '../../../runtime/deps.js';
import { UpdateCommand } from '../../../store/document-client.js';
import { translateStoreError } from '../../../store/errors.js';
import { keys } from '../../../store/keys.js';
import type { Strategy } from './types.js';

/**
 * Advances a rule's shared round-robin cursor by one (atomic `ADD`) and returns the new value. All
 * instances share it, so N resolutions over k targets give each target N/k ± 1, whatever the number
 * of instances. One write per resolution: the cost of exact rotation.
 */
export async function nextRoundRobin(deps: Deps, ruleId: string): Promise<number> {
  const out = await deps.table.client
    .send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: keys.routingCounter(ruleId),
        UpdateExpression: 'ADD n :one SET entity = :entity',
        ExpressionAttributeValues: { ':one': 1, ':entity': 'rr_counter' },
        ReturnValues: 'UPDATED_NEW',
      }),
    )
    .catch(translateStoreError);
  return Number(out.Attributes?.n ?? 1);
}

/** round_robin: rotates the eligible targets so that the cursor's target comes first. */
export const roundRobin: Strategy = async (targets, ctx) => {
  if (targets.length < 2 || !ctx.rule) return [...targets];
  const n = await nextRoundRobin(ctx.deps, ctx.rule.id);
  const start = (n - 1) % targets.length;
  return [...targets.slice(start), ...targets.slice(0, start)];
};
