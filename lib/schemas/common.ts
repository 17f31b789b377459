import * as z from 'zod';
import { ID_PATTERN } from '../ids.js';

/** Control characters (NUL included) are refused in every identifier-like string. */
const NO_CONTROL = /^[^\p{Cc}]*$/u;

/** A short human-entered string: trimmed, 1..max characters, no control characters. */
export const text = (max: number) =>
  z.string().trim().min(1).max(max).regex(NO_CONTROL, 'must not contain control characters');

/** A generated object id in a path (e.g. `prov_01j…`); anything else is a 404 before any read. */
export const objectId = z.string().regex(ID_PATTERN, 'is not a valid id');

/** ISO-8601 date-time with offset, normalised to UTC `toISOString()` form. */
export const isoDateTime = z.iso
  .datetime({ offset: true })
  .transform((v) => new Date(v).toISOString())
  .meta({ format: 'date-time' });

/**
 * Any JSON value. Registered by name on the instance itself (`.meta()` would name a copy, leaving
 * its recursive references anonymous): the OpenAPI description shows it as one component.
 */
export const jsonValue = z.json();
z.globalRegistry.add(jsonValue, { id: 'JsonValue', description: 'Any JSON value' });

/** Free-form metadata: at most 50 string keys, JSON values, 8 KiB serialised. */
export const metadata = z
  .record(
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'metadata keys use letters, digits, _ . : -'),
    jsonValue,
  )
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 metadata keys')
  .refine((m) => JSON.stringify(m).length <= 8192, 'metadata must serialise to at most 8 KiB');

/** `limit` and `cursor` of every list endpoint. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
};

/** The list envelope of every paginated endpoint. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    next_cursor: z.string().nullable(),
    has_more: z.boolean(),
  });

/** Fields every stored object carries and no caller may set. */
export const systemFields = {
  version: z.number().int().min(1),
  created_at: z.string(),
  updated_at: z.string(),
};

/** Who owns an object: the scope of the scoped key that created it, or `null` (see `lib/auth/scope.ts`). */
export const ownerScope = z
  .object({
    provider_ids: z.array(z.string()).nullable(),
    model_ids: z.array(z.string()).nullable(),
    team_id: z.string().optional().meta({ description: 'Set when a key of a team created the object.' }),
  })
  .nullable()
  .meta({
    description:
      'Set when a scoped key (or a key of a team) created the object: it then acts only on requests of keys inside this scope. Read-only.',
  });

/** Optimistic-concurrency token accepted by PATCH bodies: the version the caller last read. */
export const expectedVersion = z.number().int().min(1).optional().meta({
  description: 'The version last read; the update fails with 409 if the object changed since.',
});

/** The error envelope of every failed response. */
export const errorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    request_id: z.string(),
    details: z.unknown().optional(),
  }),
});
