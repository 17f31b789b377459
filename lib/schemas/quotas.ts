import * as z from 'zod';
import { expectedVersion, objectId, ownerScope, page, pageQuery, systemFields } from './common.js';
import { modelIdSchema } from './models.js';
import { QUOTA_ACTIONS, QUOTA_ENFORCEMENTS, QUOTA_SCOPES, QUOTA_STATES, QUOTA_TYPES } from './vocabulary.js';

export type QuotaType = (typeof QUOTA_TYPES)[number];

/** An API key id as it appears in usage (`key_…`; no `:`, `|` or `#`, which keys and scopes use). */
export const apiKeyIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'is not a valid API key id');

/** Cost limits are USD (at most 9 decimal places are kept); token and request limits are integers. */
const limitValue = z.number().positive().max(1_000_000_000_000);

/** The UTC offset of a zone at an instant, in minutes (Intl's `longOffset`: `GMT+05:30`, `GMT`). */
function offsetMinutes(format: Intl.DateTimeFormat, atMs: number): number {
  const name = format.formatToParts(atMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/**
 * Whether a zone is a whole number of hours from UTC, winter and summer, 2020 to 2040: usage is
 * counted in UTC hours, so a window must start on one (`Asia/Kolkata`, +05:30, cannot).
 */
function wholeHourZone(timeZone: string): boolean {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  for (let year = 2020; year <= 2040; year++) {
    for (const month of [0, 6]) {
      if (offsetMinutes(format, Date.UTC(year, month, 1)) % 60 !== 0) return false;
    }
  }
  return true;
}

/**
 * An IANA time zone name, stored in its canonical spelling (`europe/berlin` → `Europe/Berlin`).
 * Only zones a whole number of hours from UTC are accepted (see {@link wholeHourZone}).
 */
export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .transform((value, ctx) => {
    let canonical: string;
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not an IANA time zone (e.g. Europe/Berlin)' });
      return z.NEVER;
    }
    if (!wholeHourZone(canonical)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a whole number of hours from UTC (usage is counted in UTC hours)',
      });
      return z.NEVER;
    }
    return canonical;
  })
  .meta({ description: 'IANA time zone of daily, weekly, monthly and yearly windows (default UTC).' });

/** Percentages of the limit at which one `quota.threshold_crossed` event is sent per window. */
const thresholdsPercent = z
  .array(z.number().int().min(1).max(100))
  .max(10)
  .refine((list) => new Set(list).size === list.length, 'thresholds must not repeat')
  .transform((list) => [...list].sort((a, b) => a - b))
  .meta({ description: 'e.g. [50, 80, 100]: one event per threshold crossed per window.' });

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
  team_id: objectId.optional().meta({ description: 'scope team: the team whose keys the quota counts.' }),
  time_zone: timeZoneSchema.default('UTC'),
  thresholds_percent: thresholdsPercent.default([]),
};

/** Which identifiers each scope needs (required) and refuses (forbidden). */
const SCOPE_FIELDS: Record<(typeof QUOTA_SCOPES)[number], { required: string[]; forbidden: string[] }> = {
  provider: { required: ['provider_id'], forbidden: ['model_id', 'api_key_id', 'team_id'] },
  model: { required: ['provider_id', 'model_id'], forbidden: ['api_key_id', 'team_id'] },
  api_key: { required: ['api_key_id'], forbidden: ['model_id', 'team_id'] },
  global: { required: [], forbidden: ['provider_id', 'model_id', 'api_key_id', 'team_id'] },
  team: { required: ['team_id'], forbidden: ['api_key_id'] },
};

/**
 * The brief's QuotaCreate. `scope` decides the identifiers: provider → `provider_id`; model →
 * `provider_id` and `model_id`; api_key → `api_key_id` (and `provider_id` to count one provider
 * only); global → none; team → `team_id` (and `model_id` and/or `provider_id` to count those only).
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

/**
 * What a PATCH may change: the limit, thresholds, action, enforcement and activity; never the scope,
 * the window or its time zone (the window's budget and states are kept under its id).
 */
export const quotaPatch = z
  .strictObject({
    limit_value: limitValue.optional(),
    soft_limit_percent: z.number().int().min(1).max(100).optional(),
    action_on_exceed: z.enum(QUOTA_ACTIONS).optional(),
    enforcement: z.enum(QUOTA_ENFORCEMENTS).optional(),
    is_active: z.boolean().optional(),
    thresholds_percent: thresholdsPercent.optional(),
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
  team_id: z.string().nullable(),
  time_zone: z.string(),
  thresholds_percent: z.array(z.number().int()),
  owner_scope: ownerScope,
  ...systemFields,
});
export type Quota = z.infer<typeof quota>;

export const quotaListQuery = z.strictObject({
  ...pageQuery,
  provider_id: objectId.optional(),
  scope: z.enum(QUOTA_SCOPES).optional(),
  quota_type: z.enum(QUOTA_TYPES).optional(),
  team_id: objectId.optional(),
});
export const quotaPage = page(quota);

export const quotaStatus = z.object({
  quota_id: z.string(),
  quota_type: z.enum(QUOTA_TYPES),
  window: z.string().meta({
    description:
      'The window being counted, in the quota time zone: yyyy-mm-ddThh (UTC hour), yyyy-mm-dd, yyyy-Www (ISO week), yyyy-mm or yyyy.',
  }),
  time_zone: z.string(),
  window_start: z.string(),
  unit: z.enum(['usd', 'tokens', 'requests']),
  used: z.number(),
  limit: z.number(),
  remaining: z.number().meta({ description: 'limit − used, never below 0 (in the quota unit).' }),
  spent_usd: z
    .number()
    .meta({ description: 'What the usage the quota counts cost so far in this window (USD).' }),
  percent: z.number(),
  state: z.enum(QUOTA_STATES),
  resets_at: z.string().meta({ description: 'The end of the current window (the next one starts then).' }),
  reserved: z.number().optional().meta({ description: 'Strict quotas: held by requests in flight.' }),
});
export type QuotaStatus = z.infer<typeof quotaStatus>;
