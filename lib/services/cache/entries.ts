/**
 * Cache entries on the table: one item per answer under its namespace's partition (see
 * `keys.cacheEntry`), the answer as gzip-compressed JSON with the provider and model that served
 * it, expiring by TTL (reads hide an expired entry at once). An answer whose compressed form does
 * not fit one item is not stored (`too_large`). Each (model, namespace) pair is also noted in a small
 * index item, so a model's entries are dropped everywhere without a scan.
 */
import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzip } from 'node:zlib';
import type { NormalizedUsage } from '../../ai/types.js';
import type { Gateway } from '../../runtime/gateway.js';
import { stateSlot } from '../../state-slots.js';
import { keys } from '../../store/keys.js';
import { TABLE_SCHEMA } from '../../store/table-schema.js';

const zip = promisify(gzip);
const unzip = promisify(gunzip);

/** Compressed entries below this are inflated synchronously: cheaper than a thread-pool round trip. */
const SYNC_INFLATE_BYTES = 65_536;

/** `entity` of a cache entry item. */
export const CACHE_ENTRY_ENTITY = 'cache_entry';
/** Compressed bytes one entry may hold: DynamoDB's 400 KB item limit less keys and attributes. */
export const MAX_ENTRY_BYTES = 380_000;
/** JSON bytes beyond which an answer is not even compressed: it could not fit (text gzips ~10:1 at best). */
const MAX_JSON_BYTES = 8_000_000;

/** What a cached answer keeps: the operation's own JSON (a whole answer or its chunks) and usage. */
export interface StoredAnswer {
  body: unknown;
  usage: NormalizedUsage | null;
  /** Operation-specific extras (the chat answer's provider metadata). */
  meta?: unknown;
}

/** An entry as read back. */
export interface CacheEntry {
  answer: StoredAnswer;
  providerId: string;
  /** The model the provider was called with (usage and savings are counted on it). */
  servedModel: string;
  /** Epoch ms when it was stored. */
  storedAt: number;
}

/** Where an entry lives: namespace, the model asked for, the request's hash. */
export interface EntryAddress {
  namespace: string;
  model: string;
  hash: string;
}

/**
 * Reads an entry: one strongly consistent GetItem. An expired, unreadable or corrupt entry is a
 * miss (the next write replaces it).
 */
export async function readEntry(deps: Gateway, at: EntryAddress): Promise<CacheEntry | undefined> {
  const item = await deps.table.get(keys.cacheEntry(at.namespace, at.model, at.hash));
  if (item?.entity !== CACHE_ENTRY_ENTITY || !(item.data instanceof Uint8Array)) return undefined;
  try {
    const json = item.data.length < SYNC_INFLATE_BYTES ? gunzipSync(item.data) : await unzip(item.data);
    const answer = JSON.parse(json.toString('utf8')) as StoredAnswer;
    return {
      answer,
      providerId: String(item.provider_id),
      servedModel: String(item.served_model),
      storedAt: Number(item.stored_at),
    };
  } catch {
    return undefined;
  }
}

/** Index items this instance wrote, and until when they last (epoch s): most are written once an hour. */
const NOTED = stateSlot<Gateway, Map<string, number>>('cache model index', () => new Map());

/** Notes that `namespace` holds entries of `model` until at least `untilSec`. */
async function noteModel(deps: Gateway, at: EntryAddress, untilSec: number): Promise<void> {
  const noted = deps.state(NOTED);
  const name = `${at.model}\u0000${at.namespace}`;
  if ((noted.get(name) ?? 0) >= untilSec) return;
  // An hour beyond the entry: later entries of the pair rarely need another write.
  const ttl = untilSec + 3600;
  await deps.table.put({
    ...keys.cacheModelNamespace(at.model, at.namespace),
    entity: 'cache_model_namespace',
    [TABLE_SCHEMA.ttlAttribute]: ttl,
  });
  if (noted.size >= 10_000) noted.clear();
  noted.set(name, ttl);
}

/**
 * Stores (or replaces) an entry for `ttlSeconds`.
 *
 * @returns `too_large` when the compressed answer exceeds {@link MAX_ENTRY_BYTES} (nothing written).
 * @throws the store's errors (the caller logs them: the answer was already delivered).
 */
export async function writeEntry(
  deps: Gateway,
  at: EntryAddress,
  entry: { answer: StoredAnswer; providerId: string; servedModel: string; ttlSeconds: number },
): Promise<'stored' | 'too_large'> {
  const json = JSON.stringify(entry.answer);
  if (json.length > MAX_JSON_BYTES) return 'too_large';
  const data = await zip(json);
  if (data.length > MAX_ENTRY_BYTES) return 'too_large';
  const now = deps.now();
  const ttl = Math.floor(now / 1000) + entry.ttlSeconds;
  await noteModel(deps, at, ttl);
  await deps.table.put({
    ...keys.cacheEntry(at.namespace, at.model, at.hash),
    entity: CACHE_ENTRY_ENTITY,
    data,
    provider_id: entry.providerId,
    served_model: entry.servedModel,
    stored_at: now,
    [TABLE_SCHEMA.ttlAttribute]: ttl,
  });
  return 'stored';
}
