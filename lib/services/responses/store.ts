/**
 * Stored responses of `/v1/responses`: what `previous_response_id`, `item_reference`, retrieval and
 * `input_items` read. A stored response is two records under one partition: the `Response` object
 * (`R` parts) and the conversation that led to it (`C` parts: the previous response's items, then
 * this request's input). Each is gzip-compressed JSON cut into parts of at most {@link PART_BYTES}
 * (DynamoDB holds 400 KB per item), so a reference to an output item reads the small record only.
 * Parts expire after `RESPONSES_RETENTION_DAYS` (TTL; reads hide expired parts at once).
 *
 * Only the key that created a response reads or deletes it: any other caller gets the 404 of a
 * missing response (`outOfScope`). A partly written response (a crash between parts) reads as missing.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { ConversationItem, ResponseObject } from '../../ai/responses-compat.js';
import type { Principal } from '../../auth/roles.js';
import { NotFoundError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import { keys } from '../../store/keys.js';
import type { Item } from '../../store/table.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';
import { outOfScope } from '../actor.js';

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/** Bytes of compressed JSON per part: under DynamoDB's 400 KB item limit with keys and attributes. */
export const PART_BYTES = 350_000;
/** Most parts of one stored response (about 5.6 MB compressed); a larger one is not stored. */
export const MAX_PARTS = 16;

/** What is kept of one response. */
export interface StoredResponse {
  response: ResponseObject;
  /** The items the response answered: the previous response's, then this request's input. */
  context: ConversationItem[];
}

type Kind = 'R' | 'C';

function partsOf(id: string, kind: Kind, blob: Buffer, extra: Record<string, unknown>): Item[] {
  const count = Math.max(1, Math.ceil(blob.length / PART_BYTES));
  return Array.from({ length: count }, (_, part) => ({
    ...keys.responsePart(id, kind, part),
    data: blob.subarray(part * PART_BYTES, (part + 1) * PART_BYTES),
    ...(part === 0 ? extra : {}),
  }));
}

/**
 * Stores a response for its creator, unless it is too large.
 *
 * @returns `false` when the compressed records need more than {@link MAX_PARTS} parts (nothing is
 *   written then).
 * @throws ServiceUnavailableError when the table throttles (the caller decides what that means).
 */
export async function saveResponse(
  deps: Gateway,
  record: StoredResponse,
  ownerKeyId: string,
): Promise<boolean> {
  const id = record.response.id;
  const [response, context] = await Promise.all([
    zip(JSON.stringify(record.response)),
    zip(JSON.stringify(record.context)),
  ]);
  const contextParts = partsOf(id, 'C', context, {});
  const head = {
    owner_key_id: ownerKeyId,
    created_at: record.response.created_at,
    context_parts: contextParts.length,
  };
  const responseParts = partsOf(id, 'R', response, head);
  responseParts[0]!.parts = responseParts.length;
  const items = [...responseParts, ...contextParts];
  if (items.length > MAX_PARTS) return false;
  const ttl = record.response.created_at + deps.config.RESPONSES_RETENTION_DAYS * 86_400;
  for (const item of items) item[TABLE_SCHEMA.ttlAttribute] = ttl;
  await deps.table.batchWrite(items.map((put) => ({ put })));
  return true;
}

/** The parts of a response the caller owns (`R` parts; with `withContext`, every part). */
async function ownedParts(deps: Gateway, id: string, principal: Principal, options: ReadOptions) {
  const what = options.what ?? 'Response';
  const { items } = await deps.table.queryPages(
    keys.responseParts(id, options.withContext ? undefined : 'R'),
    {
      maxPages: MAX_PARTS,
      consistent: true,
    },
  );
  const head = items.find((item) => item.sk === keys.responsePart(id, 'R', 0).sk);
  if (head === undefined) throw new NotFoundError(what);
  if (head.owner_key_id !== principal.keyId) throw outOfScope(what, id);
  const of = (kind: Kind) => items.filter((item) => String(item.sk).startsWith(`${kind}#`));
  const complete =
    of('R').length === head.parts && (!options.withContext || of('C').length === head.context_parts);
  if (!complete) throw new NotFoundError(what);
  return { response: of('R'), context: of('C') };
}

async function decode<T>(parts: Item[]): Promise<T> {
  const blob = Buffer.concat(parts.map((item) => item.data as Uint8Array));
  return JSON.parse((await unzip(blob)).toString('utf8')) as T;
}

/** How a response is read. */
export interface ReadOptions {
  /** How a 404 names the object (`Response`, `Previous response`, `Item`). */
  what?: string;
  /** Read the conversation too (`previous_response_id`, `input_items`). */
  withContext?: boolean;
}

/**
 * Reads a response its caller created; its conversation only when asked (empty otherwise).
 *
 * @throws NotFoundError when it is missing, expired, partly written or another key's.
 */
export async function loadResponse(
  deps: Gateway,
  id: string,
  principal: Principal,
  options: ReadOptions = {},
): Promise<StoredResponse> {
  const parts = await ownedParts(deps, id, principal, options);
  const [response, context] = await Promise.all([
    decode<ResponseObject>(parts.response),
    options.withContext ? decode<ConversationItem[]>(parts.context) : Promise.resolve([]),
  ]);
  return { response, context };
}

/**
 * Deletes a response its caller created (every part).
 *
 * @throws NotFoundError when it is missing or another key's.
 */
export async function deleteResponse(deps: Gateway, id: string, principal: Principal) {
  const parts = await ownedParts(deps, id, principal, { withContext: true });
  const all = [...parts.response, ...parts.context];
  await deps.table.batchWrite(all.map((item) => ({ delete: { pk: String(item.pk), sk: String(item.sk) } })));
  return { id, object: 'response' as const, deleted: true as const };
}
