import * as z from 'zod';
import { cacheSetting } from './cache.js';
import { expectedVersion, isoDateTime, objectId, page, pageQuery, systemFields, text } from './common.js';
import { modelIdSchema } from './models.js';
import { API_KEY_STATUSES, ROLES } from './vocabulary.js';

/** Scope lists travel in the authorizer context; keep them short. */
export const MAX_SCOPE_ITEMS = 50;
/** Longest overlap a rotation may grant the old secret (one hour). */
export const MAX_GRACE_SECONDS = 3600;

export const role = z.enum(ROLES);

/** A scope list (`provider_ids`, `model_ids`): 1–50 distinct ids; omitted means all. */
export const scopeList = <T extends z.ZodType<string>>(item: T, what: string) =>
  z
    .array(item)
    .min(1, `omit ${what} for an unscoped key`)
    .max(MAX_SCOPE_ITEMS)
    .refine((list) => new Set(list).size === list.length, `${what} must not repeat`);

const expiresAt = isoDateTime.nullable();
const rateLimitRpm = z
  .number()
  .int()
  .min(1)
  .max(10_000_000)
  .nullable()
  .meta({ description: 'Requests per minute for this key (stored; enforced by the rate limiter).' });
const rateLimitTpm = z.number().int().min(1).max(1_000_000_000).nullable().meta({
  description:
    "Tokens per minute for this key: admitted at each call's upper bound, settled to its usage (enforced by the rate limiter).",
});

export const apiKeyCreate = z.strictObject({
  name: text(100),
  role,
  provider_ids: scopeList(objectId, 'provider_ids')
    .optional()
    .meta({ description: 'Only these providers are visible and usable; omitted means all.' }),
  model_ids: scopeList(modelIdSchema, 'model_ids')
    .optional()
    .meta({ description: 'Only these model ids are visible and usable; omitted means all.' }),
  expires_at: expiresAt.optional().meta({ description: 'Must be in the future; null or omitted: never.' }),
  rate_limit_rpm: rateLimitRpm.optional(),
  rate_limit_tpm: rateLimitTpm.optional(),
  team_id: objectId.optional().meta({
    description:
      "The key's team (set at creation only): its scope lies within the team's, its usage counts as the team's.",
  }),
  cache: cacheSetting.optional(),
  log_payloads: z.boolean().optional().meta({
    description:
      "Keep the request and response bodies of this key's AI requests in the request log (redacted, capped; set at creation only; reading them needs the admin role).",
  }),
});
export type ApiKeyCreate = z.infer<typeof apiKeyCreate>;

/**
 * A PATCH of a key: its name, limits and expiry (`null` clears a limit or the expiry). Its role,
 * scope, team, cache and payload logging are fixed at creation: make a new key to change them.
 */
export const apiKeyPatch = z
  .strictObject({
    name: text(100).optional(),
    expires_at: expiresAt.optional().meta({ description: 'Must be in the future; null: never.' }),
    rate_limit_rpm: rateLimitRpm.optional(),
    rate_limit_tpm: rateLimitTpm.optional(),
    version: expectedVersion,
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), 'name at least one field to change');
export type ApiKeyPatch = z.infer<typeof apiKeyPatch>;

/** A key's metadata: everything but the secret, which no read ever returns. */
export const apiKey = z.object({
  id: z.string(),
  name: z.string(),
  role,
  provider_ids: z.array(z.string()).nullable(),
  model_ids: z.array(z.string()).nullable(),
  status: z.enum(API_KEY_STATUSES),
  key_hint: z.string().meta({ description: 'Prefix and last 4 characters of the current secret.' }),
  expires_at: z.string().nullable(),
  rate_limit_rpm: z.number().int().nullable(),
  rate_limit_tpm: z.number().int().nullable(),
  team_id: z.string().nullable(),
  cache: cacheSetting
    .nullable()
    .meta({ description: 'Response cache override for this key (docs/cache.md).' }),
  log_payloads: z.boolean(),
  created_by: z.string(),
  last_used_at: z.string().nullable().meta({ description: 'Updated at most once a minute.' }),
  last_rotated_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  ...systemFields,
});
export type ApiKey = z.infer<typeof apiKey>;

/** The answer of create and rotate: the metadata and, this once, the secret. */
export const apiKeyWithSecret = apiKey.extend({
  key: z.string().meta({ description: 'The secret. Shown once; store it now, it cannot be read again.' }),
  previous_key_valid_until: z
    .string()
    .nullable()
    .optional()
    .meta({ description: 'Rotate only: until when the replaced secret still works (null: it stopped).' }),
});
export type ApiKeyWithSecret = z.infer<typeof apiKeyWithSecret>;

export const apiKeyListQuery = z.strictObject({
  ...pageQuery,
  role: role.optional(),
  status: z.enum(API_KEY_STATUSES).optional(),
  team_id: objectId.optional().meta({ description: "Only this team's keys." }),
});
export type ApiKeyListQuery = z.infer<typeof apiKeyListQuery>;
export const apiKeyPage = page(apiKey);

export const apiKeyParams = z.strictObject({ id: objectId });

export const apiKeyRotateQuery = z.strictObject({
  grace_seconds: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_GRACE_SECONDS)
    .optional()
    .meta({ description: 'Seconds the old secret keeps working (0–3600, default 0: it stops at once).' }),
});
export type ApiKeyRotateQuery = z.infer<typeof apiKeyRotateQuery>;
