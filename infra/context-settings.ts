/**
 * The stack's settings an operator passes as CDK context at deploy time
 * (`npx cdk deploy -c healthCheckInterval=600`), listed for docs/configuration.md.
 */
export const CONTEXT_SETTINGS = [
  {
    name: 'healthCheckInterval',
    fallback: '300',
    accepts: 'seconds 5–86400 (rounded up to whole minutes)',
    meaning: 'How often the scheduled health check runs; the functions get it as HEALTH_CHECK_INTERVAL.',
  },
  {
    name: 'reserveConcurrency',
    fallback: 'true',
    accepts: 'true | false',
    meaning:
      'Reserve Lambda concurrency for the stream consumers and the health check; false in accounts with a low concurrency quota.',
  },
] as const;
