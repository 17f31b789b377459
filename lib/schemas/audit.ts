import * as z from 'zod';
import { isoDateTime, page, pageQuery } from './common.js';
import { AUDIT_TARGET_TYPES } from './vocabulary.js';

const idLike = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:/@-]+$/, 'is not a valid id');

/** Filters of `GET /api/audit`: one actor or one target (type and id), an action, a time range. */
export const auditListQuery = z
  .strictObject({
    ...pageQuery,
    actor: idLike.optional().meta({ description: 'API key id of the actor (or `system`, `system:ttl`).' }),
    target_type: z.enum(AUDIT_TARGET_TYPES).optional(),
    target_id: idLike
      .optional()
      .meta({ description: 'With target_type: one object (a model is `<provider id>:<model id>`).' }),
    action: z
      .string()
      .regex(/^[a-z_]+(\.[a-z_]+)?$/, 'is an action such as provider.created, or a target type')
      .optional()
      .meta({ description: 'An action (`provider.updated`) or every action on a type (`provider`).' }),
    start: isoDateTime.optional().meta({ description: 'Events recorded at or after this instant.' }),
    end: isoDateTime.optional().meta({ description: 'Events recorded at or before this instant.' }),
  })
  .superRefine((q, ctx) => {
    if (q.target_id !== undefined && q.target_type === undefined) {
      ctx.addIssue({ code: 'custom', path: ['target_id'], message: 'target_id needs target_type' });
    }
    if (q.actor !== undefined && q.target_id !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['actor'], message: 'filter by actor or by target, not both' });
    }
    if (q.start && q.end && q.start > q.end) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'start is after end' });
    }
  });
/** The validated query of `GET /api/audit`. */
export type AuditListQuery = z.infer<typeof auditListQuery>;

const change = z.object({ before: z.unknown(), after: z.unknown() });

/** One audit event: who changed what, the allow-listed fields before and after, and its chain links. */
export const auditEvent = z.object({
  sequence: z.number().int(),
  recorded_at: z.string(),
  at: z.string(),
  actor_key_id: z.string(),
  action: z.string(),
  target_type: z.string(),
  target_id: z.string(),
  provider_id: z.string().nullable(),
  changes: z.record(z.string(), change),
  request_id: z.string().nullable(),
  source_ip: z.string().nullable(),
  source_id: z.string(),
  expires_at: z.number().int(),
  prev_hash: z.string(),
  prev_expires_at: z.number().int().nullable(),
  hash: z.string(),
});
/** An audit event as the API returns it. */
export type AuditEventView = z.infer<typeof auditEvent>;

/** A page of audit events, newest first. */
export const auditPage = page(auditEvent);
