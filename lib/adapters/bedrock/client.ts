/**
 * Bedrock runtime clients, one per (region, endpoint, auth) and provider view (gateway instance). Auth is the
 * function's IAM role (the SDK's default chain) for `aws_iam` credentials, or a Bedrock API key sent
 * as a bearer token for `api_key`. The SDK never retries (`maxAttempts: 1`): retries and failover
 * belong to the router. Its HTTP/2 sessions use the guarded DNS lookup, and an endpoint override (`base_url`,
 * e.g. a VPC endpoint or a test fake) is checked like any upstream address.
 */
import { createHash } from 'node:crypto';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createGuardedLookup } from '../../net/upstream-address.js';
import { stateSlot } from '../../state-slots.js';
import type { AdapterDeps, CallContext } from '../contract.js';
import { metadataString, requireSecret } from '../credentials.js';

type BedrockSdk = typeof import('@aws-sdk/client-bedrock-runtime');

/** The provider view's Bedrock runtime clients, by region, endpoint and auth; destroyed with it. */
const CLIENTS = stateSlot<AdapterDeps, Map<string, BedrockRuntimeClient>>(
  'bedrock runtime clients',
  () => new Map(),
  (clients) => {
    for (const client of clients.values()) client.destroy();
    clients.clear();
  },
);
let sdk: Promise<BedrockSdk> | undefined;

/**
 * The Bedrock SDK, loaded on first use: it takes hundreds of milliseconds to import, and most
 * functions of the gateway never call Bedrock, so they do not pay for it at cold start.
 */
export function bedrockSdk(): Promise<BedrockSdk> {
  sdk ??= import('@aws-sdk/client-bedrock-runtime');
  return sdk;
}

/** The region to call: `metadata.region`, else the function's region. */
export function bedrockRegion(ctx: CallContext): string {
  return metadataString(ctx, 'region') ?? ctx.deps.aws.region;
}

function create(
  Client: BedrockSdk['BedrockRuntimeClient'],
  ctx: CallContext,
  region: string,
  token: string | undefined,
): BedrockRuntimeClient {
  const lookup = createGuardedLookup(ctx.deps.policy, ctx.deps.lookup);
  return new Client({
    region,
    maxAttempts: 1,
    ...(ctx.baseUrl === undefined ? {} : { endpoint: ctx.baseUrl.href.replace(/\/+$/, '') }),
    ...(ctx.deps.aws.credentials === undefined ? {} : { credentials: ctx.deps.aws.credentials }),
    ...(token === undefined ? {} : { token: { token }, authSchemePreference: ['httpBearerAuth'] }),
    // The runtime client speaks HTTP/2; every session it opens resolves through the guarded lookup.
    requestHandler: { disableConcurrentStreams: true, nodeHttp2ConnectOptions: { lookup } },
  });
}

/** The client for this call (created on first use, then reused). */
export async function bedrockClient(ctx: CallContext): Promise<BedrockRuntimeClient> {
  const { BedrockRuntimeClient: Client } = await bedrockSdk();
  const region = bedrockRegion(ctx);
  const token = ctx.credential.type === 'aws_iam' ? undefined : requireSecret(ctx);
  const auth = token === undefined ? 'iam' : createHash('sha256').update(token).digest('hex');
  const key = JSON.stringify([region, ctx.baseUrl?.href ?? '', auth]);
  const perDeps = ctx.deps.state(CLIENTS);
  let client = perDeps.get(key);
  if (client === undefined) {
    client = create(Client, ctx, region, token);
    perDeps.set(key, client);
  }
  return client;
}
