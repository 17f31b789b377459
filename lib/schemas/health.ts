import * as z from 'zod';
import { isoDateTime, page, pageQuery } from './common.js';
import { ERROR_CLASSES, HEALTH_STATUSES } from './vocabulary.js';

const healthStatus = z.enum(HEALTH_STATUSES);
const errorClass = z.enum(ERROR_CLASSES);

export const healthCheckRecord = z.object({
  id: z.string(),
  provider_id: z.string(),
  checked_at: z.string().meta({ description: 'The instant the check counts for (a run’s scheduled time).' }),
  result: z.enum(['ok', 'error']),
  http_status: z.number().int().nullable(),
  latency_ms: z.number(),
  error_class: errorClass.nullable(),
  health_status: healthStatus.meta({ description: 'The provider’s status after this check.' }),
  trigger: z.enum(['schedule', 'manual']),
  run_id: z.string(),
  counted: z.boolean().meta({
    description: 'False when this interval was already counted (a duplicate or overlapping run).',
  }),
});

export const healthHistoryQuery = z
  .strictObject({
    ...pageQuery,
    start: isoDateTime.optional().meta({ description: 'Checks at or after this instant.' }),
    end: isoDateTime.optional().meta({ description: 'Checks at or before this instant.' }),
  })
  .refine((q) => !q.start || !q.end || q.start <= q.end, 'start must not be after end');
export type HealthHistoryQuery = z.infer<typeof healthHistoryQuery>;

export const healthHistoryPage = page(healthCheckRecord);

/** The answer of an on-demand check. */
export const healthCheckResult = z.object({
  provider_id: z.string(),
  health_status: healthStatus,
  latency_ewma_ms: z.number().nullable(),
  consecutive_failures: z.number().int(),
  check: healthCheckRecord,
  incident_opened: z.string().nullable(),
  incident_resolved: z.string().nullable(),
});

export const providerHealthSummary = z.object({
  provider_id: z.string(),
  name: z.string(),
  provider_type: z.string(),
  status: z.string().meta({ description: 'Lifecycle status (active, inactive, maintenance).' }),
  health_status: healthStatus,
  status_since: z.string().nullable(),
  latency_ewma_ms: z.number().nullable(),
  consecutive_failures: z.number().int(),
  last_checked_at: z.string().nullable(),
  last_error_class: errorClass.nullable(),
  uptime_24h: z.number().nullable().meta({ description: 'Percent of counted checks that found it up.' }),
  uptime_7d: z.number().nullable(),
  checks_24h: z.number().int(),
  checks_7d: z.number().int(),
  open_incident_id: z.string().nullable(),
  mttr_seconds: z.number().nullable().meta({
    description: 'Mean time to resolve of incidents opened in the retention window and resolved.',
  }),
  incidents_resolved: z.number().int(),
});

export const healthSummary = z.object({
  generated_at: z.string(),
  providers: z.array(providerHealthSummary),
  totals: z.object({
    healthy: z.number().int(),
    degraded: z.number().int(),
    down: z.number().int(),
    unknown: z.number().int(),
    open_incidents: z.number().int(),
    mttr_seconds: z.number().nullable(),
  }),
});
