import { z } from 'zod';
import { ConfigError } from './errors.js';

const int = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw.slice(0, 40))})`,
        });
        return z.NEVER;
      }
      return value;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const envSchema = z.object({
  GATEWAY_RUNTIME: z.enum(['aws', 'local']).default('aws'),
  TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'TABLE_NAME must be a valid DynamoDB table name')
    .default('gateway'),
  AWS_REGION: z.string().default('us-east-1'),
  DYNAMODB_ENDPOINT: optionalText,
  DATA_DIR: z.string().default('.data'),
  PORT: int('PORT', 0, 65535, 8080),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z
    .enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'debug', 'info', 'warn', 'error', 'silent'])
    .default('INFO'),
  PROVIDER_MAX_RETRIES: int('PROVIDER_MAX_RETRIES', 0, 10, 3),
  PROVIDER_REQUEST_TIMEOUT: int('PROVIDER_REQUEST_TIMEOUT', 1, 900, 30),
  HEALTH_CHECK_INTERVAL: int('HEALTH_CHECK_INTERVAL', 5, 86_400, 300),
  /** Seconds one health probe may take (also capped by the provider's timeout and the run's budget). */
  HEALTH_PROBE_TIMEOUT: int('HEALTH_PROBE_TIMEOUT', 1, 60, 10),
  /** Providers probed at once by one health run. */
  HEALTH_CONCURRENCY: int('HEALTH_CONCURRENCY', 1, 50, 10),
  /** Consecutive failed checks (one per interval) that make a provider `down` and open an incident. */
  HEALTH_FAILURES_TO_OPEN: int('HEALTH_FAILURES_TO_OPEN', 1, 100, 3),
  /** Consecutive good checks that bring a `down` provider back and resolve its incident. */
  HEALTH_SUCCESSES_TO_RESOLVE: int('HEALTH_SUCCESSES_TO_RESOLVE', 1, 100, 2),
  /** Days health history and hourly roll-ups are kept (TTL). */
  HEALTH_HISTORY_RETENTION_DAYS: int('HEALTH_HISTORY_RETENTION_DAYS', 1, 400, 30),
  /** Probe latency EWMA, in milliseconds, above which a responding provider is `degraded`. */
  HEALTH_DEGRADED_LATENCY_MS: int('HEALTH_DEGRADED_LATENCY_MS', 50, 600_000, 5_000),
  /** Local runtime only: `off` stops the in-process schedule (the AWS schedule is EventBridge's). */
  HEALTH_SCHEDULE: z.enum(['on', 'off']).default('on'),
  /** Local runtime: create the built-in mock provider on start, so a first request works with no key. */
  MOCK_PROVIDER: z.enum(['on', 'off']).default('on'),
  /** EventBridge bus for gateway events (incidents); unset: events are logged and kept in memory. */
  EVENT_BUS_NAME: optionalText.refine(
    (v) => v === undefined || /^[A-Za-z0-9._/:-]{1,1600}$/.test(v),
    'EVENT_BUS_NAME must be an EventBridge bus name or ARN',
  ),
  ROUTING_CACHE_TTL: int('ROUTING_CACHE_TTL', 0, 3_600, 60),
  /** Requests per minute across the whole gateway (exact, sharded counters); 0 = no global limit. */
  GLOBAL_RATE_LIMIT_RPM: int('GLOBAL_RATE_LIMIT_RPM', 0, 1_000_000_000, 0),
  /** Tokens per minute across the whole gateway (estimated at admission); 0 = no global limit. */
  GLOBAL_RATE_LIMIT_TPM: int('GLOBAL_RATE_LIMIT_TPM', 0, 1_000_000_000_000, 0),
  /** Retryable failures within CIRCUIT_FAILURE_WINDOW_SECONDS that open a circuit. */
  CIRCUIT_FAILURE_THRESHOLD: int('CIRCUIT_FAILURE_THRESHOLD', 1, 10_000, 5),
  /** Length of the fixed window failures are counted in, in seconds. */
  CIRCUIT_FAILURE_WINDOW_SECONDS: int('CIRCUIT_FAILURE_WINDOW_SECONDS', 1, 3_600, 60),
  /** Seconds an open circuit refuses traffic before one half-open probe may test it. */
  CIRCUIT_OPEN_SECONDS: int('CIRCUIT_OPEN_SECONDS', 1, 3_600, 30),
  ADMIN_API_KEY: optionalText,
  ADMIN_KEY_SECRET_ARN: optionalText,
  /** Secrets Manager secret holding the pepper of API-key HMACs (AWS); locally a file under DATA_DIR. */
  API_KEY_PEPPER_SECRET_ARN: optionalText.refine(
    (v) => v === undefined || /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(v),
    'API_KEY_PEPPER_SECRET_ARN must be a Secrets Manager secret ARN',
  ),
  /** Seconds the authorizer may reuse a table-backed key's lookup (the revocation delay); local runtime: 0. */
  AUTH_CACHE_TTL_SECONDS: int('AUTH_CACHE_TTL_SECONDS', 0, 60, 60),
  ALLOWED_PRIVATE_UPSTREAMS: optionalText,
  MAX_ADMIN_BODY_BYTES: int('MAX_ADMIN_BODY_BYTES', 1_024, 6_000_000, 262_144),
  /**
   * KMS master key of credential envelopes (AWS runtime): a key ARN or key id, never an alias. It is
   * also the target of `npm run rewrap`. Required only where a credential is encrypted or decrypted.
   */
  CREDENTIAL_KEY_ID: optionalText.refine(
    (v) =>
      v === undefined ||
      /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?(mrk-[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$/.test(
        v,
      ),
    'CREDENTIAL_KEY_ID must be a KMS key ARN or key id (not an alias)',
  ),
  /** Name prefix every secret_ref credential's Secrets Manager secret must start with. */
  CREDENTIAL_SECRET_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]{1,256}$/, 'CREDENTIAL_SECRET_PREFIX must be a Secrets Manager name prefix')
    .default('ai-gateway/'),
  /** Seconds a decrypted credential is reused before it is decrypted again. */
  CREDENTIAL_CACHE_TTL_SECONDS: int('CREDENTIAL_CACHE_TTL_SECONDS', 1, 3_600, 300),
  /** Requests a decrypted credential serves before it is decrypted again. */
  CREDENTIAL_CACHE_MAX_USES: int('CREDENTIAL_CACHE_MAX_USES', 1, 1_000_000, 10_000),
  /** Hours a rotated-out credential version stays decryptable before its ciphertext is destroyed. */
  CREDENTIAL_GRACE_HOURS: int('CREDENTIAL_GRACE_HOURS', 1, 720, 24),
  /** Days audit events are kept (TTL); `npm run audit:verify` accepts the expired head of the chain. */
  AUDIT_RETENTION_DAYS: int('AUDIT_RETENTION_DAYS', 1, 3_650, 365),
  /** Shards of each hourly usage counter: a writer picks one at random, readers sum them (hot items). */
  USAGE_COUNTER_SHARDS: int('USAGE_COUNTER_SHARDS', 1, 100, 1),
});

/** The gateway's validated configuration, read once from the environment at cold start. */
export type Config = z.infer<typeof envSchema>;

/**
 * Reads and validates the configuration. Throws {@link ConfigError} naming every bad variable, so a
 * misconfigured function fails at cold start with one clear line instead of misbehaving later.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) =>
      issue.code === 'custom' ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return parsed.data;
}

let cached: Config | undefined;

/** The configuration of this process (validated on first use, then cached). */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Replaces the cached configuration (tests and the local runtime, which set the environment first). */
export function resetConfig(config?: Config): void {
  cached = config;
}
