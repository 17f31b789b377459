/**
 * The settings of lib/config.ts explained: what each variable means and where it matters, for
 * `npm start -- --help` and the table of docs/configuration.md.
 */
import { FIELDS, type Field, type Fields } from './config.js';

/** Where a setting matters: the local runtime (`npm start`), the deployed functions, or both. */
export type SettingScope = 'local' | 'aws' | 'both';

/**
 * What each variable means, for `npm start -- --help` and docs/configuration.md. Typed by the
 * fields, so a variable added to the configuration without its meaning fails to compile.
 */
const MEANINGS: Record<keyof Fields, [SettingScope, string]> = {
  GATEWAY_RUNTIME: [
    'both',
    '`local` for `npm start` and the tools on a laptop, `aws` in the deployed functions (set by the stack).',
  ],
  TABLE_NAME: ['both', 'The DynamoDB table (set by the stack; locally the embedded table).'],
  AWS_REGION: ['both', 'Region of the AWS clients (DynamoDB, KMS, Secrets Manager, EventBridge, Bedrock).'],
  DYNAMODB_ENDPOINT: [
    'both',
    'Another DynamoDB to use: `http(s)://host[:port]` or `unix:/abs/path.sock`; locally, unset starts the embedded one.',
  ],
  DATA_DIR: [
    'local',
    'Folder of the embedded DynamoDB, the admin key, the pepper and the master key file; one running gateway per folder.',
  ],
  PORT: ['local', 'HTTP port of the local runtime (0 picks a free one).'],
  HOST: ['local', 'Address the local runtime listens on.'],
  LOCAL_MAX_IN_FLIGHT: ['local', 'Requests served at once; one more is answered 503 `overloaded`.'],
  LOG_LEVEL: ['both', 'Log level: DEBUG, INFO, WARN, ERROR or SILENT.'],
  PROVIDER_MAX_RETRIES: ['both', 'Retries of a retryable upstream failure (on top of the first attempt).'],
  PROVIDER_REQUEST_TIMEOUT: [
    'both',
    'Seconds an upstream call may take; the default `timeout_seconds` of a new provider.',
  ],
  HEALTH_CHECK_INTERVAL: [
    'both',
    'Seconds between health runs (in AWS the stack context `healthCheckInterval` sets it).',
  ],
  HEALTH_PROBE_TIMEOUT: ['both', 'Seconds one health probe may take.'],
  HEALTH_CONCURRENCY: ['both', 'Providers probed at once by one health run.'],
  HEALTH_FAILURES_TO_OPEN: [
    'both',
    'Consecutive failed checks that make a provider `down` and open an incident.',
  ],
  HEALTH_SUCCESSES_TO_RESOLVE: ['both', 'Consecutive good checks that bring a `down` provider back.'],
  HEALTH_HISTORY_RETENTION_DAYS: ['both', 'Days health history and hourly roll-ups are kept.'],
  HEALTH_DEGRADED_LATENCY_MS: [
    'both',
    'Probe latency (EWMA, ms) above which a responding provider is `degraded`.',
  ],
  HEALTH_SCHEDULE: ['local', '`off` stops the in-process health schedule.'],
  MOCK_PROVIDER: [
    'local',
    '`on` creates the built-in mock provider at start, so a first request works with no key.',
  ],
  EVENT_BUS_NAME: ['aws', 'EventBridge bus for gateway events; unset: events are logged and kept in memory.'],
  ROUTING_CACHE_TTL: [
    'both',
    'Seconds the routing configuration is cached per instance (0: read every request).',
  ],
  GLOBAL_RATE_LIMIT_RPM: ['both', 'Requests per minute across the whole gateway; 0: no limit.'],
  GLOBAL_RATE_LIMIT_TPM: [
    'both',
    'Tokens per minute across the whole gateway (estimated at admission); 0: no limit.',
  ],
  CIRCUIT_FAILURE_THRESHOLD: ['both', 'Retryable failures within the window that open a circuit.'],
  CIRCUIT_FAILURE_WINDOW_SECONDS: ['both', 'Length of the window failures are counted in, in seconds.'],
  CIRCUIT_OPEN_SECONDS: ['both', 'Seconds an open circuit refuses traffic before one probe may test it.'],
  ADMIN_API_KEY: [
    'local',
    'The bootstrap admin key; unset: generated at first start and kept in DATA_DIR/admin-api-key.',
  ],
  ADMIN_KEY_SECRET_ARN: ['aws', 'Secrets Manager secret of the bootstrap admin key (set by the stack).'],
  API_KEY_PEPPER_SECRET_ARN: [
    'aws',
    'Secrets Manager secret holding the pepper of API-key hashes; locally a file in DATA_DIR.',
  ],
  AUTH_CACHE_TTL_SECONDS: [
    'both',
    'Seconds the authorizer may reuse a key lookup (the revocation delay); locally 0 unless set.',
  ],
  ALLOWED_PRIVATE_UPSTREAMS: [
    'both',
    'Comma-separated hosts or CIDRs a provider `base_url` may reach although private (tests, on-premise models).',
  ],
  MAX_ADMIN_BODY_BYTES: ['both', 'Largest admin request body, in bytes.'],
  CREDENTIAL_KEY_ID: [
    'aws',
    'KMS key (ARN or id, not an alias) that wraps credentials; the target of `npm run rewrap`.',
  ],
  CREDENTIAL_SECRET_PREFIX: ['both', 'Name prefix every `secret_ref` credential secret must start with.'],
  CREDENTIAL_CACHE_TTL_SECONDS: ['both', 'Seconds a decrypted credential is reused.'],
  CREDENTIAL_CACHE_MAX_USES: ['both', 'Requests a decrypted credential serves before it is decrypted again.'],
  CREDENTIAL_GRACE_HOURS: [
    'both',
    'Hours a rotated-out credential stays usable before its ciphertext is destroyed.',
  ],
  AUDIT_RETENTION_DAYS: ['both', 'Days audit events are kept.'],
  RESPONSES_RETENTION_DAYS: ['both', 'Days a stored `/v1/responses` answer is kept.'],
  CACHE_MODE: [
    'both',
    'Response cache for every key and rule without their own setting: `off`, `read_write` or `read_only` (see docs/cache.md).',
  ],
  CACHE_TTL_SECONDS: [
    'both',
    'Seconds a cached answer is served (1 to 30 days); keys, rules and requests may narrow it.',
  ],
  REQUEST_LOG_RETENTION_DAYS: ['both', 'Days a request-log record is kept (TTL; see docs/request-logs.md).'],
  LOG_PAYLOADS: [
    'both',
    '`on` keeps the request and response bodies of every AI request in the request log (redacted, capped); keys and rules may switch it on for themselves.',
  ],
  LOG_PAYLOAD_MAX_BYTES: [
    'both',
    'Bytes of each logged body kept (the rest is cut, and the record says so).',
  ],
  LOG_REDACT: [
    'both',
    'Patterns redacted from logged bodies besides credentials, comma-separated: `email`, `phone`, `card`.',
  ],
  DURABLE_PARK_QUEUE_URL: [
    'aws',
    'SQS queue where a usage or settlement write that failed after its retries is parked and replayed (set by the stack).',
  ],
  JOURNAL_FSYNC: [
    'local',
    'The usage journal is written before an answer ends (a process kill loses nothing); `on` syncs it to disk in groups within 20 ms after (a power cut may lose the last 20 ms), `strict` before the answer ends, `off` leaves syncing to the OS.',
  ],
  USAGE_COUNTER_SHARDS: [
    'both',
    'Usage shards (of 128) one instance spreads its counter writes over, from its own home shard; 1 suits a Lambda container.',
  ],
};

/** One setting as `--help` and the docs show it. */
export interface SettingDoc {
  name: string;
  /** The default, as text (`(unset)` for optional text). */
  fallback: string;
  /** What is accepted: a range, a list of values, or `text`. */
  accepts: string;
  scope: SettingScope;
  meaning: string;
}

/** The accepted values of a field and its default, as text. */
function docOf(field: Field): { fallback: string; accepts: string } {
  switch (field.kind) {
    case 'int':
      return { fallback: String(field.fallback), accepts: `integer ${field.min}–${field.max}` };
    case 'enum': {
      // Lower-case spellings of upper-case values (LOG_LEVEL) are accepted too; list each once.
      const values = field.values.filter(
        (v) => v === v.toUpperCase() || !field.values.includes(v.toUpperCase()),
      );
      return { fallback: field.fallback, accepts: values.join(' | ') };
    }
    case 'text':
      return { fallback: field.fallback, accepts: 'text' };
    case 'optionalText':
      return { fallback: '(unset)', accepts: 'text' };
  }
}

/** Every setting of {@link loadConfig}, with its default, accepted values and meaning, in declaration order. */
export function describeSettings(): SettingDoc[] {
  return (Object.entries(FIELDS) as Array<[keyof Fields, Field]>).map(([name, field]) => {
    const [scope, meaning] = MEANINGS[name];
    return { name, scope, meaning, ...docOf(field) };
  });
}
