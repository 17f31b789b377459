import * as z from 'zod';
import { expectedVersion, objectId, ownerScope, page, pageQuery, systemFields } from './common.js';
import { modelIdSchema } from './models.js';
import { QUOTA_ACTIONS, QUOTA_ENFORCEMENTS, QUOTA_SCOPES, QUOTA_STATES, QUOTA_TYPES } from './vocabulary.js';

export type QuotaType = (typeof QUOTA_TYPES)[number];

/** An API key id as it appears in usage (`key_…`; no `:`, `|` or `#`, which keys and scopes use). */
export const apiKeyIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'is not a valid API key id');

/** Cost limits are USD (at most 9 decimal places are kept); token and request limits are integers. */
const limitValue = z.number().positive().max(1_000_000_000_000);

const quotaFields = {
  provider_id: objectId.optional(),
  quota_type: z.enum(QUOTA_TYPES),
  limit_value: limitValue,
  soft_limit_percent: z.number().int().min(1).max(100).default(80),
  action_on_exceed: z.enum(QUOTA_ACTIONS).default('block'),
  scope: z.enum(QUOTA_SCOPES).default('provider'),
  model_id: modelIdSchema.optional(),
  api_key_id: apiKeyIdSchema.optional(),
  enforcement: z.enum(QUOTA_ENFORCEMENTS).default('async'),
  is_active: z.boolean().default(true),
};

/** Which identifiers each scope needs (required) and refuses (forbidden). */
const SCOPE_FIELDS: Record<(typeof QUOTA_SCOPES)[number], { required: string[]; forbidden: string[] }> = {
  provider: { required: ['provider_id'], forbidden: ['model_id', 'api_key_id'] },
  model: { required: ['provider_id', 'model_id'], forbidden: ['api_key_id'] },
  api_key: { required: ['api_key_id'], forbidden: ['model_id'] },
  global: { required: [], forbidden: ['provider_id', 'model_id', 'api_key_id'] },
};

/**
 * The brief's QuotaCreate. `scope` decides the identifiers: provider → `provider_id`; model →
 * `provider_id` and `model_id`; api_key → `api_key_id` (and `provider_id` to count one provider
 * only); global → none.
 */
export const quotaCreate = z.strictObject(quotaFields).superRefine((q, ctx) => {
  const rule = SCOPE_FIELDS[q.scope];
  const record = q as Record<string, unknown>;
  for (const field of rule.required) {
    if (record[field] === undefined)
      ctx.addIssue({ code: 'custom', path: [field], message: `scope ${q.scope} needs ${field}` });
  }
  for (const field of rule.forbidden) {
    if (record[field] !== undefined)
      ctx.addIssue({ code: 'custom', path: [field], message: `scope ${q.scope} takes no ${field}` });
  }
  if (!q.quota_type.endsWith('_cost') && !Number.isInteger(q.limit_value)) {
    ctx.addIssue({ code: 'custom', path: ['limit_value'], message: 'token and request limits are integers' });
  }
});
export type QuotaCreate = z.infer<typeof quotaCreate>;

/** What a PATCH may change: the limit, thresholds, action, enforcement and activity (never the scope). */
export const quotaPatch = z
  .strictObject({
    limit_value: limitValue.optional(),
    soft_limit_percent: z.number().int().min(1).max(100).optional(),
    action_on_exceed: z.enum(QUOTA_ACTIONS).optional(),
    enforcement: z.enum(QUOTA_ENFORCEMENTS).optional(),
    is_active: z.boolean().optional(),
    version: expectedVersion,
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), 'name at least one field to change');
export type QuotaPatch = z.infer<typeof quotaPatch>;

export const quota = z.object({
  id: z.string(),
  provider_id: z.string().nullable(),
  quota_type: z.enum(QUOTA_TYPES),
  limit_value: z.number(),
  soft_limit_percent: z.number().int(),
  action_on_exceed: z.enum(QUOTA_ACTIONS),
  scope: z.enum(QUOTA_SCOPES),
  model_id: z.string().nullable(),
  api_key_id: z.string().nullable(),
  enforcement: z.enum(QUOTA_ENFORCEMENTS),
  is_active: z.boolean(),
  owner_scope: ownerScope,
  ...systemFields,
});
export type Quota = z.infer<typeof quota>;

export const quotaListQuery = z.strictObject({
  ...pageQuery,
  provider_id: objectId.optional(),
  scope: z.enum(QUOTA_SCOPES).optional(),
  quota_type: z.enum(QUOTA_TYPES).optional(),
});
export const quotaPage = page(quota);

export const quotaStatus = z.object({
  quota_id: z.string(),
  quota_type: z.enum(QUOTA_TYPES),
  window: z.string().meta({ description: 'The UTC day (yyyy-mm-dd) or month (yyyy-mm) being counted.' }),
  unit: z.enum(['usd', 'tokens', 'requests']),
  used: z.number(),
  limit: z.number(),
  percent: z.number(),
  state: z.enum(QUOTA_STATES),
  resets_at: z.string(),
  reserved: z.number().optional().meta({ description: 'Strict quotas: held by requests in flight.' }),
});
export type QuotaStatus = z.infer<typeof quotaStatus>;
