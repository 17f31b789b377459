import * as z from 'zod';
import { objectId } from './common.js';

/** `yyyy-mm-dd` (a UTC day) or an ISO date-time with offset (normalised to UTC). */
const dateOrDateTime = z.union([
  z.iso.date(),
  z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString()),
]);

const reportFields = {
  start_date: dateOrDateTime.optional().meta({
    description:
      'First day (yyyy-mm-dd) or instant of the range; default: 24 hours, 30 days or 12 months back.',
  }),
  end_date: dateOrDateTime.optional().meta({
    description: 'Last day, inclusive (yyyy-mm-dd), or an exclusive instant; default: the current period.',
  }),
  granularity: z.enum(['hour', 'day', 'month']).default('day'),
  format: z.enum(['json', 'csv']).optional().meta({
    description:
      'csv: the series as a CSV download (as `Accept: text/csv`); default: JSON, or as Accept says.',
  }),
};

/** Query of `GET /api/providers/{id}/usage`. */
export const providerUsageQuery = z.strictObject({
  ...reportFields,
  group_by: z.enum(['model', 'api_key', 'service_type', 'team']).optional(),
  team_id: objectId.optional().meta({ description: "Only this team's usage (the sum of its keys')." }),
});

/** Query of `GET /api/usage`: every provider, or one (`provider_id`); can also group by provider. */
export const usageQuery = z.strictObject({
  ...reportFields,
  group_by: z.enum(['model', 'api_key', 'service_type', 'provider', 'team']).optional(),
  provider_id: objectId.optional(),
  team_id: objectId.optional().meta({ description: "Only this team's usage (the sum of its keys')." }),
});

const figures = {
  requests: z.number().int(),
  errors: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cached_input_tokens: z.number().int(),
  audio_seconds: z.number(),
  characters: z.number().int(),
  cost_usd: z.number().meta({ description: 'USD, the exact sum of integer nano-USD costs.' }),
  avg_latency_ms: z.number().nullable(),
  unpriced_requests: z.number().int().meta({ description: 'Calls with usage no price in force covered.' }),
  images: z.number().int().meta({ description: 'Images generated.' }),
  cache_write_tokens: z
    .number()
    .int()
    .meta({ description: 'Input tokens written to the prompt cache (part of input_tokens).' }),
  reasoning_tokens: z.number().int().meta({
    description: 'Output tokens spent reasoning, as the provider reported them (part of output_tokens).',
  }),
  cache_hits: z
    .number()
    .int()
    .meta({ description: 'Requests answered from the response cache (part of requests).' }),
  cache_hit_rate: z
    .number()
    .nullable()
    .meta({ description: 'cache_hits / requests (0-1); null without requests.' }),
  cache_hit_tokens: z.number().int().meta({
    description: 'Tokens of the answers the cache replayed (not in input_tokens or output_tokens).',
  }),
  cost_saved_usd: z
    .number()
    .meta({ description: 'What the cache hits would have cost, USD (not in cost_usd).' }),
  cancelled: z.number().int().meta({
    description: 'Streams the client abandoned (part of requests; tokens produced until then are counted).',
  }),
};

/** A usage report (JSON; `Accept: text/csv` returns the series as CSV). */
export const usageReport = z.object({
  provider_id: z.string().nullable(),
  start: z.string(),
  end: z.string(),
  granularity: z.enum(['hour', 'day', 'month']),
  group_by: z.enum(['model', 'api_key', 'service_type', 'provider', 'team']).nullable(),
  team_id: z.string().nullable(),
  totals: z.object(figures),
  series: z.array(
    z.object({
      period: z.string(),
      group: z
        .string()
        .optional()
        .meta({ description: 'The group; by team, "" is usage of keys without a team.' }),
      ...figures,
    }),
  ),
});
