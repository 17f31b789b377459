import * as z from 'zod';
import { objectId, pageQuery } from './common.js';
import { modelIdSchema } from './models.js';
import { CACHE_OUTCOMES, LIMIT_DECISIONS } from './vocabulary.js';

/** A request id as `x-request-id` carries it (API Gateway's, or the local runtime's, UUID). */
export const requestIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'is not a valid request id');

const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v).toISOString());

/** Query of `GET /api/logs`. */
export const logListQuery = z.strictObject({
  from: instant
    .optional()
    .meta({ description: 'Oldest time (inclusive); default: the retention period back.' }),
  to: instant.optional().meta({ description: 'Newest time (inclusive); default: now.' }),
  api_key_id: objectId.optional(),
  team_id: objectId.optional(),
  provider_id: objectId.optional().meta({ description: 'The provider that served the call.' }),
  model: modelIdSchema.optional().meta({ description: 'The model that served the call.' }),
  status: z
    .union([
      z.enum(['success', 'error']),
      z.string().regex(/^[1-5]\d\d$/, 'is success, error or an HTTP status'),
    ])
    .optional(),
  min_latency_ms: z.coerce.number().min(0).max(3_600_000).optional(),
  cache: z
    .enum([...CACHE_OUTCOMES, 'none'])
    .optional()
    .meta({ description: '`none`: no cache applied.' }),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}(:.{0,512})?$/s, 'is name or name:value')
    .optional()
    .meta({ description: '`name` (the tag is set) or `name:value`; `user:<id>` matches OpenAI `user`.' }),
  ...pageQuery,
});

export const logParams = z.strictObject({ request_id: requestIdSchema });

const attempt = z.object({
  provider_id: z.string(),
  model: z.string(),
  status: z.number().int().nullable(),
  latency_ms: z.number(),
  failure: z.string().nullable(),
});

const limitDecision = z.enum(LIMIT_DECISIONS).nullable();

/** One AI request as the request log keeps it. */
export const requestLog = z.object({
  request_id: z.string(),
  at: z.string(),
  api_key_id: z.string(),
  team_id: z.string().nullable(),
  route: z.string(),
  service_type: z.string().nullable(),
  model_requested: z.string().nullable(),
  provider_id: z.string().nullable(),
  provider_name: z.string().nullable(),
  model: z.string().nullable().meta({ description: 'The model that served the call.' }),
  stream: z.boolean(),
  attempts: z.array(attempt),
  status: z.number().int().meta({ description: 'The HTTP status the caller received.' }),
  outcome: z
    .enum(['success', 'error'])
    .meta({ description: '`error` also for a stream broken after its first byte.' }),
  error_code: z.string().nullable(),
  latency_ms: z.object({ total: z.number(), upstream: z.number(), gateway: z.number() }),
  ttfb_ms: z.number().nullable().meta({ description: 'Streams: from arrival to the first byte.' }),
  tokens: z.object({ input: z.number().int(), output: z.number().int(), cached: z.number().int() }),
  cost_usd: z.number(),
  cache: z.enum(CACHE_OUTCOMES).nullable(),
  limits: z.object({ rate_limit: limitDecision, quota: limitDecision }),
  client_ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  user: z.string().nullable(),
  payload_logged: z.boolean(),
});

const storedBody = z.object({ text: z.string(), truncated: z.boolean(), bytes: z.number().int() }).nullable();

/** A record with its payload: the bodies only for a caller of the `secrets` class. */
export const requestLogDetail = requestLog.extend({
  payload: z
    .object({ request: storedBody, response: storedBody })
    .nullable()
    .optional()
    .meta({ description: 'Redacted, capped bodies; present only for admins, when payload logging was on.' }),
});

export const requestLogPage = z.object({
  data: z.array(requestLog),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
