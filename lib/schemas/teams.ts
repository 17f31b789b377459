import * as z from 'zod';
import { scopeList } from './api-keys.js';
import { expectedVersion, metadata, objectId, page, pageQuery, systemFields, text } from './common.js';
import { modelIdSchema } from './models.js';

const teamName = text(100).regex(
  /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/,
  'starts with a letter or digit and uses letters, digits, spaces, . _ -',
);
const rpm = z.number().int().min(1).max(10_000_000).nullable();
const tpm = z.number().int().min(1).max(1_000_000_000_000).nullable();

const providerIds = scopeList(objectId, 'provider_ids').meta({
  description: "The team's providers: its keys see and use only these (and may narrow them). Omitted: all.",
});
const modelIds = scopeList(modelIdSchema, 'model_ids').meta({
  description: "The team's model ids: its keys see and use only these (and may narrow them). Omitted: all.",
});

export const teamCreate = z.strictObject({
  name: teamName,
  provider_ids: providerIds.optional(),
  model_ids: modelIds.optional(),
  rate_limit_rpm: rpm
    .optional()
    .meta({ description: "Requests per minute of all the team's keys together (exact)." }),
  rate_limit_tpm: tpm.optional().meta({
    description:
      "Tokens per minute of all the team's keys together (estimated at admission: prompt + max output).",
  }),
  metadata: metadata.optional(),
});
export type TeamCreate = z.infer<typeof teamCreate>;

/** A PATCH: `null` clears a scope (all providers or models) or a limit. */
export const teamPatch = z
  .strictObject({
    name: teamName.optional(),
    provider_ids: providerIds.nullable().optional(),
    model_ids: modelIds.nullable().optional(),
    rate_limit_rpm: rpm.optional(),
    rate_limit_tpm: tpm.optional(),
    metadata: metadata.optional(),
    version: expectedVersion,
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), 'name at least one field to change');
export type TeamPatch = z.infer<typeof teamPatch>;

export const team = z.object({
  id: z.string(),
  name: z.string(),
  provider_ids: z.array(z.string()).nullable(),
  model_ids: z.array(z.string()).nullable(),
  rate_limit_rpm: z.number().int().nullable(),
  rate_limit_tpm: z.number().int().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  ...systemFields,
});
export type Team = z.infer<typeof team>;

export const teamListQuery = z.strictObject({ ...pageQuery });
export const teamPage = page(team);
export const teamParams = z.strictObject({ id: objectId });

export const teamDeleteQuery = z.strictObject({
  revoke_keys: z.enum(['true', 'false']).optional().meta({
    description: "true: revoke the team's active keys, then delete it (else 409 while it has any).",
  }),
});
