import * as z from 'zod';
import { ConfigError } from './errors.js';

/**
 * How one variable is read. Each kind is read twice over, by the same rules: a plain reader (the
 * cold-start path: no zod schema is built or run while the environment is valid, which saves a few
 * milliseconds of every function's first event) and a zod schema, built only when the plain reader
 * refuses something, whose issues make the error message.
 */
export type Field = IntField | EnumField<string> | TextField | OptionalTextField;

/** An integer from `min` to `max`; unset or blank is `fallback`. */
interface IntField {
  kind: 'int';
  min: number;
  max: number;
  fallback: number;
}

/** One of `values`, exactly; unset is `fallback`. */
interface EnumField<V extends string> {
  kind: 'enum';
  values: readonly [V, ...V[]];
  fallback: V;
}

/** A string, as given (matching `pattern` when there is one); unset is `fallback`. */
interface TextField {
  kind: 'text';
  fallback: string;
  pattern?: RegExp;
  message?: string;
}

/** Trimmed text; unset or blank is `undefined`. When set it must match `pattern`, if any. */
interface OptionalTextField {
  kind: 'optionalText';
  pattern?: RegExp;
  message?: string;
}

const int = (min: number, max: number, fallback: number): IntField => ({ kind: 'int', min, max, fallback });
const oneOf = <const V extends string>(values: readonly [V, ...V[]], fallback: V): EnumField<V> => ({
  kind: 'enum',
  values,
  fallback,
});
const text = (fallback: string, pattern?: RegExp, message?: string): TextField => ({
  kind: 'text',
  fallback,
  ...(pattern ? { pattern, message } : {}),
});
const optionalText = (pattern?: RegExp, message?: string): OptionalTextField => ({
  kind: 'optionalText',
  ...(pattern ? { pattern, message } : {}),
});

/** Every variable the gateway reads, with its kind, range and default (the one source of settings). */
export const FIELDS = {
  GATEWAY_RUNTIME: oneOf(['aws', 'local'], 'aws'),
  TABLE_NAME: text('gateway', /^[A-Za-z0-9_.-]{3,255}$/, 'TABLE_NAME must be a valid DynamoDB table name'),
  AWS_REGION: text('us-east-1'),
  /** Another DynamoDB: `http(s)://host[:port]`, or `unix:/abs/path.sock` for one on a Unix socket. */
  DYNAMODB_ENDPOINT: optionalText(
    /^(https?:\/\/\S+|unix:\/.+)$/,
    'DYNAMODB_ENDPOINT must be an http(s):// URL or unix:/absolute/path/to/socket',
  ),
  DATA_DIR: text('.data'),
  PORT: int(0, 65535, 8080),
  HOST: text('127.0.0.1'),
  /** Local runtime: requests served at once (streams until they end); beyond it, 503 `overloaded`. */
  LOCAL_MAX_IN_FLIGHT: int(1, 100_000, 256),
  LOG_LEVEL: oneOf(
    ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'debug', 'info', 'warn', 'error', 'silent'],
    'INFO',
  ),
  PROVIDER_MAX_RETRIES: int(0, 10, 3),
  PROVIDER_REQUEST_TIMEOUT: int(1, 900, 30),
  HEALTH_CHECK_INTERVAL: int(5, 86_400, 300),
  /** Seconds one health probe may take (also capped by the provider's timeout and the run's budget). */
  HEALTH_PROBE_TIMEOUT: int(1, 60, 10),
  /** Providers probed at once by one health run. */
  HEALTH_CONCURRENCY: int(1, 50, 10),
  /** Consecutive failed checks (one per interval) that make a provider `down` and open an incident. */
  HEALTH_FAILURES_TO_OPEN: int(1, 100, 3),
  /** Consecutive good checks that bring a `down` provider back and resolve its incident. */
  HEALTH_SUCCESSES_TO_RESOLVE: int(1, 100, 2),
  /** Days health history and hourly roll-ups are kept (TTL). */
  HEALTH_HISTORY_RETENTION_DAYS: int(1, 400, 30),
  /** Probe latency EWMA, in milliseconds, above which a responding provider is `degraded`. */
  HEALTH_DEGRADED_LATENCY_MS: int(50, 600_000, 5_000),
  /** Local runtime only: `off` stops the in-process schedule (the AWS schedule is EventBridge's). */
  HEALTH_SCHEDULE: oneOf(['on', 'off'], 'on'),
  /** Local runtime: create the built-in mock provider on start, so a first request works with no key. */
  MOCK_PROVIDER: oneOf(['on', 'off'], 'on'),
  /** EventBridge bus for gateway events (incidents); unset: events are logged and kept in memory. */
  EVENT_BUS_NAME: optionalText(
    /^[A-Za-z0-9._/:-]{1,1600}$/,
    'EVENT_BUS_NAME must be an EventBridge bus name or ARN',
  ),
  ROUTING_CACHE_TTL: int(0, 3_600, 60),
  /** Requests per minute across the whole gateway (exact, sharded counters); 0 = no global limit. */
  GLOBAL_RATE_LIMIT_RPM: int(0, 1_000_000_000, 0),
  /** Tokens per minute across the whole gateway (estimated at admission); 0 = no global limit. */
  GLOBAL_RATE_LIMIT_TPM: int(0, 1_000_000_000_000, 0),
  /** Retryable failures within CIRCUIT_FAILURE_WINDOW_SECONDS that open a circuit. */
  CIRCUIT_FAILURE_THRESHOLD: int(1, 10_000, 5),
  /** Length of the fixed window failures are counted in, in seconds. */
  CIRCUIT_FAILURE_WINDOW_SECONDS: int(1, 3_600, 60),
  /** Seconds an open circuit refuses traffic before one half-open probe may test it. */
  CIRCUIT_OPEN_SECONDS: int(1, 3_600, 30),
  ADMIN_API_KEY: optionalText(),
  ADMIN_KEY_SECRET_ARN: optionalText(),
  /** Secrets Manager secret holding the pepper of API-key HMACs (AWS); locally a file under DATA_DIR. */
  API_KEY_PEPPER_SECRET_ARN: optionalText(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    'API_KEY_PEPPER_SECRET_ARN must be a Secrets Manager secret ARN',
  ),
  /** Seconds the authorizer may reuse a table-backed key's lookup (the revocation delay); local runtime: 0. */
  AUTH_CACHE_TTL_SECONDS: int(0, 60, 60),
  ALLOWED_PRIVATE_UPSTREAMS: optionalText(),
  MAX_ADMIN_BODY_BYTES: int(1_024, 6_000_000, 262_144),
  /**
   * KMS master key of credential envelopes (AWS runtime): a key ARN or key id, never an alias. It is
   * also the target of `npm run rewrap`. Required only where a credential is encrypted or decrypted.
   */
  CREDENTIAL_KEY_ID: optionalText(
    /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?(mrk-[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$/,
    'CREDENTIAL_KEY_ID must be a KMS key ARN or key id (not an alias)',
  ),
  /** Name prefix every secret_ref credential's Secrets Manager secret must start with. */
  CREDENTIAL_SECRET_PREFIX: text(
    'ai-gateway/',
    /^[A-Za-z0-9/_+=.@-]{1,256}$/,
    'CREDENTIAL_SECRET_PREFIX must be a Secrets Manager name prefix',
  ),
  /** Seconds a decrypted credential is reused before it is decrypted again. */
  CREDENTIAL_CACHE_TTL_SECONDS: int(1, 3_600, 300),
  /** Requests a decrypted credential serves before it is decrypted again. */
  CREDENTIAL_CACHE_MAX_USES: int(1, 1_000_000, 10_000),
  /** Hours a rotated-out credential version stays decryptable before its ciphertext is destroyed. */
  CREDENTIAL_GRACE_HOURS: int(1, 720, 24),
  /** Days audit events are kept (TTL); `npm run audit:verify` accepts the expired head of the chain. */
  AUDIT_RETENTION_DAYS: int(1, 3_650, 365),
  /** Days a response of `/v1/responses` is kept for `previous_response_id` and retrieval (TTL). */
  RESPONSES_RETENTION_DAYS: int(1, 3_650, 30),
  /** Days a request-log record (and its payload) is kept (TTL). */
  REQUEST_LOG_RETENTION_DAYS: int(1, 3_650, 30),
  /** `on` stores request and response bodies with every request-log record (redacted, capped). */
  LOG_PAYLOADS: oneOf(['on', 'off'], 'off'),
  /** Largest stored request or response body of a request-log payload, in bytes (cut beyond). */
  LOG_PAYLOAD_MAX_BYTES: int(256, 131_072, 16_384),
  /**
   * Patterns redacted from logged payloads besides credentials (always): a comma-separated subset
   * of `email`, `phone`, `card`; empty redacts credentials only.
   */
  LOG_REDACT: text(
    '',
    /^(|(email|phone|card)(,(email|phone|card))*)$/,
    'LOG_REDACT lists email, phone, card',
  ),
  /** Usage shards (of `USAGE_SHARDS`) one instance spreads its counter writes over, from its home shard. */
  USAGE_COUNTER_SHARDS: int(1, 100, 1),
  /** The response cache for the whole gateway (keys and routing rules override it; `docs/cache.md`). */
  CACHE_MODE: oneOf(['off', 'read_write', 'read_only'], 'off'),
  /** Seconds a cached answer is served (keys and rules override it, a request may shorten it). */
  CACHE_TTL_SECONDS: int(1, 2_592_000, 3600),
  /**
   * AWS: the SQS queue where a usage batch or strict-quota settlement that could not be written after
   * its retries is parked, to be replayed by the park-replay function. Unset: such a write is logged.
   */
  DURABLE_PARK_QUEUE_URL: optionalText(
    /^https:\/\/\S+$/,
    'DURABLE_PARK_QUEUE_URL must be an https:// SQS queue URL',
  ),
  /**
   * Local runtime: when the usage journal is `fdatasync`'d. Every mode writes it before an answer
   * ends (a process kill loses nothing); `on` syncs in groups within 20 ms after, `strict` before the
   * answer ends, `off` never.
   */
  JOURNAL_FSYNC: oneOf(['on', 'strict', 'off'], 'on'),
} satisfies Record<string, Field>;

export type Fields = typeof FIELDS;
type ValueOf<F> = F extends IntField
  ? number
  : F extends EnumField<infer V>
    ? V
    : F extends TextField
      ? string
      : string | undefined;

/**
 * The gateway's validated configuration, read once from the environment at cold start. An unset
 * optional text variable is `undefined` (the key itself present only if the environment had it).
 */
export type Config = { [K in keyof Fields]: ValueOf<Fields[K]> };

/** Marks a value the plain reader refuses (then zod reads the environment again, for the message). */
const INVALID: unique symbol = Symbol('invalid');

/** The plain reader of one variable: its value, or `INVALID`. */
function readField(field: Field, raw: unknown): unknown {
  if (raw !== undefined && typeof raw !== 'string') return INVALID;
  switch (field.kind) {
    case 'int': {
      if (raw === undefined || raw.trim() === '') return field.fallback;
      const value = Number(raw);
      return Number.isInteger(value) && value >= field.min && value <= field.max ? value : INVALID;
    }
    case 'enum':
      if (raw === undefined) return field.fallback;
      return (field.values as readonly string[]).includes(raw) ? raw : INVALID;
    case 'text':
      if (raw === undefined) return field.fallback;
      return field.pattern && !field.pattern.test(raw) ? INVALID : raw;
    case 'optionalText': {
      const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
      return value !== undefined && field.pattern && !field.pattern.test(value) ? INVALID : value;
    }
  }
}

/** The environment read by the plain readers, or `undefined` if any variable is invalid. */
function readPlain(env: NodeJS.ProcessEnv): Config | undefined {
  const config: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(FIELDS) as [string, Field][]) {
    const raw = env[name];
    const value = readField(field, raw);
    if (value === INVALID) return undefined;
    // As zod's object does: an optional variable that reads as undefined is a key only if it was one.
    if (value !== undefined || name in env) config[name] = value;
  }
  return config as Config;
}

/** The zod schema of one variable, by the same rules as {@link readField}. */
function fieldSchema(name: string, field: Field): z.ZodType {
  switch (field.kind) {
    case 'int':
      return z
        .string()
        .optional()
        .transform((raw, ctx) => {
          if (raw === undefined || raw.trim() === '') return field.fallback;
          const value = Number(raw);
          if (!Number.isInteger(value) || value < field.min || value > field.max) {
            ctx.addIssue({
              code: 'custom',
              message: `${name} must be an integer from ${field.min} to ${field.max} (got ${JSON.stringify(raw.slice(0, 40))})`,
            });
            return z.NEVER;
          }
          return value;
        });
    case 'enum':
      return z.enum(field.values).default(field.fallback);
    case 'text':
      return (field.pattern ? z.string().regex(field.pattern, field.message) : z.string()).default(
        field.fallback,
      );
    case 'optionalText': {
      const trimmed = z
        .string()
        .optional()
        .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
      const { pattern } = field;
      return pattern ? trimmed.refine((v) => v === undefined || pattern.test(v), field.message) : trimmed;
    }
  }
}

/** The whole environment's zod schema, built only to explain an invalid environment. */
function envSchema() {
  return z.object(
    Object.fromEntries(Object.entries(FIELDS).map(([name, field]) => [name, fieldSchema(name, field)])),
  );
}

/**
 * Reads and validates the configuration. Throws {@link ConfigError} naming every bad variable, so a
 * misconfigured function fails at cold start with one clear line instead of misbehaving later.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const plain = readPlain(env);
  if (plain) return plain;
  const parsed = envSchema().safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) =>
      issue.code === 'custom' ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return parsed.data as Config;
}
