import * as z from 'zod';
import { isoDateTime, page, pageQuery, text } from './common.js';
import { CREDENTIAL_STATUSES, CREDENTIAL_TYPES } from './vocabulary.js';

export const credentialType = z.enum(CREDENTIAL_TYPES);
export const credentialStatus = z.enum(CREDENTIAL_STATUSES);

/**
 * A secret as sent by an administrator. Never returned, logged or echoed in an error: validation
 * messages about it are constant strings. Whitespace or control characters are refused rather than
 * trimmed (they are a paste error, and a silently changed key is worse than a 422).
 */
export const credentialValue = z
  .string()
  .min(1)
  .max(4096)
  .regex(
    /^[^\p{Cc}\s](?:[^\p{Cc}]*[^\p{Cc}\s])?$/u,
    'must not contain control characters or surrounding spaces',
  )
  .meta({
    writeOnly: true,
    description:
      'api_key: the provider key. secret_ref: the ARN of a Secrets Manager secret whose name starts with the configured prefix. aws_iam: omitted. Never returned.',
  });

export const credentialCreate = z.strictObject({
  credential_type: credentialType,
  credential_value: credentialValue.optional(),
  name: text(100).optional(),
  expires_at: isoDateTime.optional(),
});
export type CredentialCreate = z.infer<typeof credentialCreate>;

export const credentialRotate = z.strictObject({
  credential_value: credentialValue,
  expires_at: isoDateTime
    .nullable()
    .optional()
    .meta({ description: 'A new expiry for the credential; null clears it; omitted keeps it.' }),
});
export type CredentialRotate = z.infer<typeof credentialRotate>;

const hint = z.string().max(4).optional().meta({
  description: 'The last 4 characters of an api_key of at least 12 characters; omitted otherwise.',
});

export const credentialVersion = z.object({
  version: z.number().int().min(1),
  status: credentialStatus,
  created_at: z.string(),
  destroy_after: z
    .string()
    .optional()
    .meta({ description: 'Retiring versions: when the ciphertext is destroyed.' }),
  hint,
});

export const credential = z.object({
  id: z.string(),
  provider_id: z.string(),
  name: z.string(),
  credential_type: credentialType,
  status: credentialStatus,
  version: z.number().int().min(1).meta({
    description: 'The key version in use (1 at creation, +1 per rotation); not a concurrency token.',
  }),
  created_at: z.string(),
  updated_at: z.string(),
  last_used_at: z.string().nullable().meta({ description: 'Updated at most once a minute.' }),
  expires_at: z.string().nullable(),
  destination: z.string().nullable().meta({
    description:
      'Where this credential may be sent (an origin, or bedrock:<region>); null for credentials stored before destinations were bound.',
  }),
  hint,
  versions: z
    .array(credentialVersion)
    .meta({ description: 'Versions still held, oldest first (revoked ones without ciphertext).' }),
});
export type Credential = z.infer<typeof credential>;

export const credentialListQuery = z.strictObject({ ...pageQuery });
export const credentialPage = page(credential);

export const rewrapRequest = z.strictObject({
  cursor: pageQuery.cursor,
  limit: z.number().int().min(1).max(100).optional().meta({ description: 'Credentials per call (25).' }),
});
export type RewrapRequest = z.infer<typeof rewrapRequest>;

export const rewrapReport = z.object({
  credentials: z.number().int().meta({ description: 'Credential records examined.' }),
  scanned: z.number().int().meta({ description: 'Key versions with ciphertext examined.' }),
  rewrapped: z.number().int().meta({ description: 'Versions re-wrapped under the current master key.' }),
  skipped: z.number().int().meta({ description: 'Versions already under the current master key.' }),
  failed: z.number().int().meta({ description: 'Versions that did not authenticate (left unchanged).' }),
  destroyed: z.number().int().meta({ description: 'Retiring versions past their grace period destroyed.' }),
  failures: z.array(z.object({ credential_id: z.string(), version: z.number().int(), code: z.string() })),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
export type RewrapReport = z.infer<typeof rewrapReport>;
