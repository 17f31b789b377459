import * as z from 'zod';
import { cacheSetting } from './cache.js';
import { expectedVersion, objectId, ownerScope, page, pageQuery, systemFields, text } from './common.js';
import { modelIdSchema } from './models.js';
import { serviceType } from './providers.js';
import { RETRY_CLASSES, RULE_TYPES } from './vocabulary.js';

export type RuleType = (typeof RULE_TYPES)[number];

export type RetryClass = (typeof RETRY_CLASSES)[number];

/** Most targets a rule may name (each costs one reference item and one candidate). */
export const MAX_RULE_TARGETS = 10;
/** Most wildcards a model pattern may hold: matching stays O(pattern × model) and small. */
export const MAX_PATTERN_WILDCARDS = 8;

/**
 * A model id, or a glob over model ids: `*` is any run of characters, `?` one character. No other
 * syntax (no classes, no regular expressions): a stored pattern is data, never code.
 */
export const modelPatternSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:/@+*?-]{1,200}$/, 'uses model-id characters and the wildcards * ? (at most 200)')
  .refine(
    (p) => (p.match(/[*?]/g)?.length ?? 0) <= MAX_PATTERN_WILDCARDS,
    `at most ${MAX_PATTERN_WILDCARDS} wildcards`,
  );

const weight = z.number().int().min(0).max(1000);

export const ruleTargetInput = z.strictObject({
  provider_id: objectId,
  model: modelIdSchema.optional().meta({
    description: 'The model sent to this provider; omitted: the model the request names.',
  }),
  weight: weight.optional().meta({ description: 'Share of traffic for weighted rules (default 1).' }),
});

export const retryPolicy = z
  .strictObject({
    max_attempts: z.number().int().min(1).max(11).default(3),
    backoff_base_ms: z.number().int().min(0).max(10_000).default(200),
    backoff_max_ms: z.number().int().min(0).max(60_000).default(5_000),
    retry_on: z
      .array(z.enum(RETRY_CLASSES))
      .min(1)
      .max(RETRY_CLASSES.length)
      .refine((l) => new Set(l).size === l.length, 'retry_on must not repeat')
      .optional(),
  })
  .refine((p) => p.backoff_max_ms >= p.backoff_base_ms, 'backoff_max_ms must be at least backoff_base_ms')
  .meta({ description: 'Attempts are also capped by PROVIDER_MAX_RETRIES + 1 and the remaining time.' });
export type RetryPolicy = z.infer<typeof retryPolicy>;

const providerIds = z
  .array(objectId)
  .min(1)
  .max(MAX_RULE_TARGETS)
  .refine((l) => new Set(l).size === l.length, 'provider_ids must not repeat');
const targets = z
  .array(ruleTargetInput)
  .min(1)
  .max(MAX_RULE_TARGETS)
  .refine(
    (l) => new Set(l.map((t) => `${t.provider_id} ${t.model ?? ''}`)).size === l.length,
    'targets must not repeat a provider and model',
  );

const fields = {
  rule_name: text(100),
  rule_type: z.enum(RULE_TYPES),
  service_type: serviceType,
  model_pattern: modelPatternSchema,
  provider_ids: providerIds,
  targets,
  fallback_enabled: z.boolean(),
  retry_policy: retryPolicy,
  priority: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .meta({ description: 'Lower wins among equally specific rules.' }),
  is_active: z.boolean(),
  cache: cacheSetting.nullable(),
  log_payloads: z.boolean().meta({
    description:
      'Keep the request and response bodies of the requests this rule routes in the request log (redacted, capped). Only an admin may set it, or change a rule that has it.',
  }),
};

/** Exactly one of `provider_ids` and `targets`; a weighted rule needs a positive weight. */
const oneTargetForm = (r: { provider_ids?: unknown; targets?: unknown }) =>
  (r.provider_ids === undefined) !== (r.targets === undefined);

export const ruleCreate = z
  .strictObject({
    rule_name: fields.rule_name,
    rule_type: fields.rule_type,
    service_type: fields.service_type,
    model_pattern: fields.model_pattern,
    provider_ids: fields.provider_ids.optional(),
    targets: fields.targets.optional(),
    fallback_enabled: fields.fallback_enabled.optional(),
    retry_policy: fields.retry_policy.optional(),
    priority: fields.priority.optional(),
    is_active: fields.is_active.optional(),
    cache: fields.cache.optional(),
    log_payloads: fields.log_payloads.optional(),
  })
  .refine(oneTargetForm, 'give exactly one of provider_ids and targets');
export type RuleCreate = z.infer<typeof ruleCreate>;

export const rulePatch = z
  .strictObject({
    rule_name: fields.rule_name.optional(),
    rule_type: fields.rule_type.optional(),
    service_type: fields.service_type.optional(),
    model_pattern: fields.model_pattern.optional(),
    provider_ids: fields.provider_ids.optional(),
    targets: fields.targets.optional(),
    fallback_enabled: fields.fallback_enabled.optional(),
    retry_policy: fields.retry_policy.optional(),
    priority: fields.priority.optional(),
    is_active: fields.is_active.optional(),
    cache: fields.cache.optional(),
    log_payloads: fields.log_payloads.optional(),
    version: expectedVersion,
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), 'name at least one field to change')
  .refine((p) => p.provider_ids === undefined || p.targets === undefined, 'give provider_ids or targets');
export type RulePatch = z.infer<typeof rulePatch>;

export const ruleTarget = z.object({
  provider_id: z.string(),
  model: z.string().nullable(),
  weight: z.number().int(),
});
export type RuleTarget = z.infer<typeof ruleTarget>;

export const rule = z.object({
  id: z.string(),
  rule_name: z.string(),
  rule_type: z.enum(RULE_TYPES),
  service_type: serviceType,
  model_pattern: z.string(),
  provider_ids: z.array(z.string()),
  targets: z.array(ruleTarget),
  fallback_enabled: z.boolean(),
  retry_policy: z.object({
    max_attempts: z.number().int(),
    backoff_base_ms: z.number().int(),
    backoff_max_ms: z.number().int(),
    retry_on: z.array(z.enum(RETRY_CLASSES)),
  }),
  priority: z.number().int(),
  is_active: z.boolean(),
  cache: cacheSetting
    .nullable()
    .meta({ description: 'Response cache override for requests this rule routes.' }),
  log_payloads: z.boolean(),
  owner_scope: ownerScope,
  ...systemFields,
});
export type Rule = z.infer<typeof rule>;

export const ruleListQuery = z.strictObject({
  ...pageQuery,
  service_type: serviceType.optional(),
  rule_type: z.enum(RULE_TYPES).optional(),
  is_active: z.enum(['true', 'false']).optional(),
});
export type RuleListQuery = z.infer<typeof ruleListQuery>;
export const rulePage = page(rule);

export const ruleParams = z.strictObject({ id: objectId });
export const ruleDeleteQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional(),
});
