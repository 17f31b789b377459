import * as z from 'zod';
import { expectedVersion, isoDateTime, objectId, page, pageQuery, text } from './common.js';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES, TIMELINE_TYPES } from './vocabulary.js';

export const incidentStatus = z.enum(INCIDENT_STATUSES);
export const incidentSeverity = z.enum(INCIDENT_SEVERITIES);

/** Multi-line free text: line breaks and tabs allowed, other control characters (NUL…) refused. */
const prose = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^(?:[^\p{Cc}]|[\n\r\t])*$/u, 'must not contain control characters other than line breaks');

export const incidentCreate = z.strictObject({
  title: text(200),
  severity: incidentSeverity,
  description: prose(4000).optional(),
});
export type IncidentCreate = z.infer<typeof incidentCreate>;

export const incidentPatch = z
  .strictObject({
    status: z
      .enum(['acknowledged', 'resolved'])
      .optional()
      .meta({ description: 'open → acknowledged → resolved (or open → resolved); never backwards.' }),
    note: prose(2000).optional().meta({ description: 'Appended to the timeline.' }),
    version: expectedVersion,
  })
  .refine((p) => p.status !== undefined || p.note !== undefined, 'give a status, a note, or both');
export type IncidentPatch = z.infer<typeof incidentPatch>;

export const timelineEntry = z.object({
  at: z.string(),
  type: z.enum(TIMELINE_TYPES),
  /** The API key id of who did it, or `system` for the health checker. */
  actor: z.string(),
  note: z.string().nullable(),
});
export type TimelineEntry = z.infer<typeof timelineEntry>;

export const incident = z.object({
  id: z.string(),
  provider_id: z.string(),
  title: z.string(),
  severity: incidentSeverity,
  description: z.string().nullable(),
  status: incidentStatus,
  source: z.enum(['automatic', 'manual']),
  opened_at: z.string(),
  acknowledged_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  duration_seconds: z
    .number()
    .int()
    .meta({ description: 'resolved_at − opened_at once resolved; the time open so far before that.' }),
  timeline: z.array(timelineEntry),
  timeline_dropped: z
    .number()
    .int()
    .meta({ description: 'Entries dropped from the middle of a long timeline.' }),
  version: z.number().int().min(1),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Incident = z.infer<typeof incident>;

export const incidentParams = z.strictObject({ id: objectId });

export const incidentListQuery = z.strictObject({
  ...pageQuery,
  provider_id: objectId.optional(),
  status: incidentStatus.optional(),
  severity: incidentSeverity.optional(),
  start: isoDateTime.optional().meta({ description: 'Incidents opened at or after this instant.' }),
  end: isoDateTime.optional().meta({ description: 'Incidents opened at or before this instant.' }),
});
export type IncidentListQuery = z.infer<typeof incidentListQuery>;

export const incidentPage = page(incident);
