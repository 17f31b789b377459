/**
 * The configuration file's schema (`gateway.config.yaml`), derived from the admin API's own create
 * schemas: every field the API accepts is accepted here under the same name and rules, so a field
 * added to an API schema flows into the file (and its JSON Schema) without a change here. Only
 * references differ: the file names providers, teams and keys where the API takes their ids.
 */
import * as z from 'zod';
import { apiKeyCreate, MAX_SCOPE_ITEMS } from '../../schemas/api-keys.js';
import { modelCreate } from '../../schemas/models.js';
import { providerCreate } from '../../schemas/providers.js';
import { quotaCreate } from '../../schemas/quotas.js';
import { MAX_RULE_TARGETS, ruleCreate, ruleTargetInput } from '../../schemas/routing.js';
import { teamCreate } from '../../schemas/teams.js';

/** The kinds of object a file declares, in the order they are applied. */
export const KINDS = ['provider', 'model', 'credential', 'team', 'api_key', 'routing_rule', 'quota'] as const;
export type Kind = (typeof KINDS)[number];

/** A shape without some of its fields (zod's `.omit()` refuses objects that carry refinements). */
function without<S extends z.ZodRawShape, K extends keyof S & string>(
  shape: S,
  drop: readonly K[],
): Omit<S, K> {
  return Object.fromEntries(Object.entries(shape).filter(([key]) => !drop.includes(key as K))) as Omit<S, K>;
}

const providerRef = providerCreate.shape.name.meta({
  description: 'A provider of this file (or already stored), by name.',
});
const teamRef = teamCreate.shape.name.meta({ description: 'A team, by name.' });
const keyRef = apiKeyCreate.shape.name.meta({ description: 'An API key, by name.' });
const providerRefs = (max: number) =>
  z
    .array(providerRef)
    .min(1)
    .max(max)
    .refine((list) => new Set(list).size === list.length, 'providers must not repeat');

/** An environment variable that holds the provider's key when `config:apply` runs. */
export const envVariable = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'is an environment variable name (upper case letters, digits, _)');

/** A Secrets Manager secret ARN: the credential is read from it at request time, never stored here. */
export const secretRef = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
    'is a Secrets Manager secret ARN',
  );

export const fileModel = z.strictObject(modelCreate.shape);

export const fileProvider = z
  .strictObject({
    ...providerCreate.shape,
    models: z.array(fileModel).max(1000).optional(),
    credential_from_env: envVariable.optional().meta({
      description:
        'The environment variable holding the provider key when the file is applied (e.g. OPENAI_API_KEY).',
    }),
    secret_ref: secretRef
      .optional()
      .meta({ description: 'A Secrets Manager secret holding the provider key.' }),
  })
  .refine(
    (p) => !(p.credential_from_env && p.secret_ref),
    'give credential_from_env or secret_ref, not both',
  );

const fileTarget = z.strictObject({
  ...without(ruleTargetInput.shape, ['provider_id']),
  provider: providerRef,
});

export const fileRule = z.strictObject({
  ...without(ruleCreate.shape, ['provider_ids', 'targets']),
  providers: providerRefs(MAX_RULE_TARGETS).optional(),
  targets: z.array(fileTarget).min(1).max(MAX_RULE_TARGETS).optional(),
});

export const fileTeam = z.strictObject({
  ...without(teamCreate.shape, ['provider_ids']),
  providers: providerRefs(MAX_SCOPE_ITEMS).optional(),
});

export const fileApiKey = z.strictObject({
  ...without(apiKeyCreate.shape, ['provider_ids', 'team_id']),
  providers: providerRefs(MAX_SCOPE_ITEMS).optional(),
  team: teamRef.optional(),
});

export const fileQuota = z.strictObject({
  ...without(quotaCreate.shape, ['provider_id', 'api_key_id', 'team_id']),
  provider: providerRef.optional(),
  api_key: keyRef.optional(),
  team: teamRef.optional(),
});

/** Indices of items whose name (case-insensitive, as the store compares names) came earlier. */
function repeats<T>(list: readonly T[], name: (item: T) => string): number[] {
  const seen = new Set<string>();
  return list.flatMap((item, index) => {
    const key = name(item).toLowerCase();
    const repeated = seen.has(key);
    seen.add(key);
    return repeated ? [index] : [];
  });
}

/** A refinement refusing a list that declares one name twice. */
const uniqueBy =
  <T>(what: string, name: (item: T) => string) =>
  (list: T[], ctx: z.core.$RefinementCtx<T[]>) => {
    for (const index of repeats(list, name)) {
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: `${what} "${name(list[index] as T)}" is declared twice`,
      });
    }
  };

const providerWithModels = fileProvider.superRefine((p, ctx) => {
  const models = p.models ?? [];
  for (const index of repeats(models, (m) => m.model_id)) {
    ctx.addIssue({
      code: 'custom',
      path: ['models', index],
      message: `model "${models[index]?.model_id}" is declared twice`,
    });
  }
});

/**
 * The whole file. A section left out is not managed (nothing in it is created, changed or pruned);
 * a section present, even empty, is the full list of its objects.
 */
export const configFileSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'The JSON Schema editors validate this file with.' }),
    providers: z
      .array(providerWithModels)
      .max(500)
      .superRefine(uniqueBy('provider', (p) => p.name))
      .optional(),
    teams: z
      .array(fileTeam)
      .max(1000)
      .superRefine(uniqueBy('team', (t) => t.name))
      .optional(),
    api_keys: z
      .array(fileApiKey)
      .max(1000)
      .superRefine(uniqueBy('API key', (k) => k.name))
      .optional(),
    routing_rules: z
      .array(fileRule)
      .max(1000)
      .superRefine(uniqueBy('routing rule', (r) => r.rule_name))
      .optional(),
    quotas: z.array(fileQuota).max(1000).optional(),
  })
  .meta({ title: 'AI gateway configuration (gateway.config.yaml)' });

export type ConfigFile = z.infer<typeof configFileSchema>;
export type FileProvider = z.infer<typeof fileProvider>;
export type FileModel = z.infer<typeof fileModel>;
export type FileRule = z.infer<typeof fileRule>;
export type FileTeam = z.infer<typeof fileTeam>;
export type FileApiKey = z.infer<typeof fileApiKey>;
export type FileQuota = z.infer<typeof fileQuota>;

/**
 * The JSON Schema editors use to check and complete the file (input form: defaults optional).
 * Written to docs/gateway.config.schema.json by `npm run openapi`.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
