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
  ROUTING_CACHE_TTL: int('ROUTING_CACHE_TTL', 0, 3_600, 60),
  ADMIN_API_KEY: optionalText,
  ADMIN_KEY_SECRET_ARN: optionalText,
  ALLOWED_PRIVATE_UPSTREAMS: optionalText,
  MAX_ADMIN_BODY_BYTES: int('MAX_ADMIN_BODY_BYTES', 1_024, 6_000_000, 262_144),
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
