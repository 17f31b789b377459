import type { InputItemsQuery } from '../../ai/schemas/responses-stored.js';
import type { HandlerRequest } from '../../http/handler.js';
import { listInputItems } from '../../services/responses/input-items.js';
import { deleteResponse, loadResponse } from '../../services/responses/store.js';

type StoredRequest = HandlerRequest<unknown, InputItemsQuery | undefined, { id: string }>;

/**
 * The stored-response routes, served by one function: retrieve (`GET /v1/responses/{id}`), delete,
 * and `GET /v1/responses/{id}/input_items`. Only the key that created a response reaches it.
 */
export async function serveStoredResponse(request: StoredRequest) {
  const { deps, params, principal, event } = request;
  if (event.httpMethod === 'DELETE') return deleteResponse(deps, params.id, principal);
  if (event.resource.endsWith('/input_items'))
    return listInputItems(deps, params.id, principal, request.query!);
  return (await loadResponse(deps, params.id, principal)).response;
}
