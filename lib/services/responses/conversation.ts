/**
 * The conversation a new response answers: the items of the response it continues
 * (`previous_response_id`: that response's conversation, then its output), then the request's own
 * input, with `item_reference`s replaced by the items they name. Everything read belongs to the
 * caller's key; anything else is the 404 of a missing object.
 */

import { isResponseId, responseIdOfItem } from '../../ai/responses-compat/items.js';
import type { ConversationItem, ItemReference } from '../../ai/responses-compat.js';
import type { Principal } from '../../auth/roles.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { loadResponse } from './store.js';

const PREVIOUS = 'Previous response';

/**
 * The items a response continues from, oldest first (none without `previousId`).
 *
 * @throws NotFoundError when the previous response is missing, expired, not stored, or another key's.
 */
export async function previousItems(
  deps: Gateway,
  principal: Principal,
  previousId: string | null | undefined,
): Promise<ConversationItem[]> {
  if (previousId == null) return [];
  if (!isResponseId(previousId)) {
    throw new NotFoundError(PREVIOUS, { details: [{ field: 'previous_response_id' }] });
  }
  const stored = await loadResponse(deps, previousId, principal, { what: PREVIOUS, withContext: true });
  return [...stored.context, ...stored.response.output];
}

/** Most distinct responses one request may reference items of (an agent loop of as many steps). */
const MAX_REFERENCED_RESPONSES = 100;
/** Responses read at once while resolving references. */
const READ_CONCURRENCY = 8;

async function readAll<T>(ids: string[], read: (id: string) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < ids.length; start += READ_CONCURRENCY)
    out.push(...(await Promise.all(ids.slice(start, start + READ_CONCURRENCY).map(read))));
  return out;
}

/**
 * The input with every `item_reference` replaced by the kept item it names. A referenced response
 * is read once: its output first (what clients reference: the AI SDK sends earlier answers as
 * references), its conversation only when an id is not among the outputs.
 *
 * @throws NotFoundError (naming the field) for an id this gateway did not give, an item that is not
 *   in its response, or a response that is missing or another key's.
 * @throws BadRequestError when items of more than {@link MAX_REFERENCED_RESPONSES} responses are named.
 */
export async function resolveReferences(
  deps: Gateway,
  principal: Principal,
  input: ReadonlyArray<ConversationItem | ItemReference>,
): Promise<ConversationItem[]> {
  const refs = input.flatMap((item, index) => (item.type === 'item_reference' ? [{ item, index }] : []));
  if (refs.length === 0) return input as ConversationItem[];
  const missing = (index: number) => new NotFoundError('Item', { details: [{ field: `input.${index}.id` }] });
  const owners = new Map<string, string>();
  for (const { item, index } of refs) {
    const owner = responseIdOfItem(item.id);
    if (owner === undefined) throw missing(index);
    owners.set(item.id, owner);
  }
  const responses = [...new Set(owners.values())];
  if (responses.length > MAX_REFERENCED_RESPONSES) {
    throw new BadRequestError(
      `input: items of at most ${MAX_REFERENCED_RESPONSES} responses may be referenced`,
      {
        code: 'too_many_references',
      },
    );
  }
  const byId = new Map<string, ConversationItem>();
  const keep = (items: ConversationItem[]) => {
    for (const item of items) byId.set(item.id, item);
  };
  const read = (withContext: boolean) => (id: string) =>
    loadResponse(deps, id, principal, { what: 'Item', withContext });
  for (const stored of await readAll(responses, read(false))) keep(stored.response.output);
  const unresolved = [
    ...new Set(refs.filter(({ item }) => !byId.has(item.id)).map(({ item }) => owners.get(item.id)!)),
  ];
  for (const stored of await readAll(unresolved, read(true))) keep(stored.context);
  return input.map((item, index) => {
    if (item.type !== 'item_reference') return item;
    const found = byId.get(item.id);
    if (found === undefined) throw missing(index);
    return found;
  });
}
