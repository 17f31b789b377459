import type { ConversationItem } from '../../ai/responses-compat.js';
import type { InputItemsQuery } from '../../ai/schemas/responses-stored.js';
import type { Principal } from '../../auth/roles.js';
import { BadRequestError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { loadResponse } from './store.js';

/**
 * One page of the conversation a stored response answered (OpenAI's `input_items`): its previous
 * response's items and its own input, newest first unless `order` is `asc`; `after` is the id of
 * the last item of the previous page.
 *
 * @throws BadRequestError `invalid_cursor` when `after` names no item of the response.
 */
export async function listInputItems(
  deps: Gateway,
  id: string,
  principal: Principal,
  query: InputItemsQuery,
) {
  const { context } = await loadResponse(deps, id, principal, { withContext: true });
  const ordered: ConversationItem[] = query.order === 'asc' ? context : [...context].reverse();
  let start = 0;
  if (query.after !== undefined) {
    const at = ordered.findIndex((item) => item.id === query.after);
    if (at < 0)
      throw new BadRequestError('after names no item of this response.', { code: 'invalid_cursor' });
    start = at + 1;
  }
  const data = ordered.slice(start, start + query.limit);
  return {
    object: 'list' as const,
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: start + data.length < ordered.length,
  };
}
