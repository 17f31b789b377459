/**
 * Where the credentials for requests this gateway signs itself come from. In Lambda (and anywhere
 * the standard variables are set) they are read from the environment once; elsewhere (an operator
 * running `npm run init` with a profile or SSO) the AWS SDK's default provider chain is loaded on
 * first use and its temporary credentials are refreshed five minutes before they expire.
 */
import type { AwsCredentials } from './sigv4.js';

export type CredentialSource = () => Promise<AwsCredentials>;

/** Refresh temporary credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** Fixed credentials (the embedded DynamoDB accepts any signature). */
export function staticCredentials(credentials: AwsCredentials): CredentialSource {
  const value = Promise.resolve(credentials);
  return () => value;
}

/** The environment's credentials, else the SDK's provider chain (loaded only when needed). */
export function defaultCredentials(env: NodeJS.ProcessEnv = process.env): CredentialSource {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return staticCredentials({
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
    });
  }
  let current: Promise<AwsCredentials> | undefined;
  let expiresAt = 0;
  return () => {
    if (!current || Date.now() >= expiresAt - REFRESH_MARGIN_MS) {
      current = loadChain().then(
        (credentials) => {
          expiresAt = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
          return credentials;
        },
        (error: unknown) => {
          current = undefined;
          throw error;
        },
      );
    }
    return current;
  };
}

async function loadChain(): Promise<AwsCredentials> {
  // A computed specifier: bundles leave it out (Lambda always has the environment variables, and
  // its runtime ships the SDK besides); scripts and servers resolve it from node_modules.
  const specifier = '@aws-sdk/credential-provider-node';
  const { defaultProvider } = (await import(specifier)) as {
    defaultProvider: () => () => Promise<AwsCredentials>;
  };
  return defaultProvider()();
}
