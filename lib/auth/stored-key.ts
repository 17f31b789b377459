import { describeError, logger } from '../observability.js';
import type { Gateway } from '../runtime/gateway.js';
import { ROLES } from '../schemas/vocabulary.js';
import { stateSlot } from '../state-slots.js';
import { keys } from '../store/keys.js';
import type { Item } from '../store/table.js';
import { readCacheSetting } from './cache-setting.js';
import type { Principal, Role } from './roles.js';

/** `entity` of the item the authorizer reads (one per live secret of a key). */
export const SECRET_ENTITY = 'api_key_secret';

/** `last_used_at` is written at most this often per key (per container, and by condition overall). */
export const LAST_USED_INTERVAL_MS = 60_000;

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;

/** Epoch ms of an optional ISO time; `Infinity` when absent, `NaN` when unreadable. */
const endOf = (value: unknown): number =>
  value === null || value === undefined ? Number.POSITIVE_INFINITY : Date.parse(String(value));

/**
 * The principal a stored secret item grants at `nowMs`, and until when (the earlier of the key's
 * expiry and the end of a rotation grace period), or `null` when the item is not a live secret:
 * revoked, expired, past its grace period or malformed. Every `null` becomes the same 401.
 */
export function principalFromSecretItem(
  item: Item,
  nowMs: number,
): { principal: Principal; validUntilMs: number } | null {
  if (item.entity !== SECRET_ENTITY || item.status !== 'active') return null;
  if (typeof item.key_id !== 'string' || !ROLES.includes(item.role as Role)) return null;
  const validUntilMs = Math.min(endOf(item.expires_at), endOf(item.secret_expires_at));
  if (!(validUntilMs > nowMs)) return null;
  const providerIds = stringList(item.provider_ids);
  const modelIds = stringList(item.model_ids);
  const rpm = item.rate_limit_rpm;
  const tpm = item.rate_limit_tpm;
  const cache = readCacheSetting(item.cache);
  return {
    principal: {
      keyId: item.key_id,
      role: item.role as Role,
      ...(providerIds ? { providerIds } : {}),
      ...(modelIds ? { modelIds } : {}),
      ...(typeof rpm === 'number' ? { rateLimitRpm: rpm } : {}),
      ...(typeof tpm === 'number' ? { rateLimitTpm: tpm } : {}),
      ...(typeof item.expires_at === 'string' ? { expiresAt: item.expires_at } : {}),
      ...(typeof item.team_id === 'string' ? { teamId: item.team_id } : {}),
      ...(cache ? { cache } : {}),
      ...(item.log_payloads === true ? { logPayloads: true } : {}),
    },
    validUntilMs,
  };
}

/** When this instance last wrote each key's `last_used_at` (the in-memory guard). */
const LAST_TOUCHED = stateSlot<Gateway, Map<string, number>>('api key last use', () => new Map());

/**
 * Records that a key was used, at most once a minute per key: an in-memory guard per gateway
 * instance plus a condition on the stored time across instances, so steady traffic costs no
 * writes. The write never fails authentication (a failure is logged and skipped). It does not bump
 * `version`.
 */
export async function touchLastUsed(
  deps: Pick<Gateway, 'table' | 'state'>,
  keyId: string,
  nowMs: number,
): Promise<void> {
  const { table } = deps;
  const lastTouched = deps.state(LAST_TOUCHED);
  const last = lastTouched.get(keyId);
  if (last !== undefined && nowMs - last < LAST_USED_INTERVAL_MS) return;
  if (lastTouched.size >= 10_000) lastTouched.clear();
  lastTouched.set(keyId, nowMs);
  try {
    // A refused condition (another container wrote it within the interval) is success.
    await table.update({
      key: keys.apiKeyRecord(keyId),
      set: { last_used_at: new Date(nowMs).toISOString() },
      condition: 'attribute_exists(pk) AND (attribute_not_exists(last_used_at) OR last_used_at < :cutoff)',
      values: { ':cutoff': new Date(nowMs - LAST_USED_INTERVAL_MS).toISOString() },
    });
  } catch (error) {
    logger.warn('could not record key use', { error: describeError(error) });
  }
}
