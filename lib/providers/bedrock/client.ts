/**
 * Bedrock runtime clients, one per (deps, region, endpoint, auth) and container. Auth is the
 * function's IAM role (the SDK's default chain) for `aws_iam` credentials, or a Bedrock API key sent
 * as a bearer token for `api_key`. The SDK never retries (`maxAttempts: 1`): retries and failover
 * belong to the router. Its HTTP/2 sessions use the guarded DNS lookup, and an endpoint override (`base_url`,
 * e.g. a VPC endpoint or a test fake) is checked like any upstream address.
 */
import { createHash } from 'node:crypto';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createGuardedLookup } from '../../net/upstream-address.js';
import type { CallContext, ProviderDeps } from '../contract.js';
import { metadataString, requireSecret } from '../credentials.js';

type BedrockSdk = typeof import('@aws-sdk/client-bedrock-runtime');

const clients = new WeakMap<ProviderDeps, Map<string, BedrockRuntimeClient>>();
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
  let perDeps = clients.get(ctx.deps);
  if (perDeps === undefined) {
    perDeps = new Map();
    clients.set(ctx.deps, perDeps);
  }
  let client = perDeps.get(key);
  if (client === undefined) {
    client = create(Client, ctx, region, token);
    perDeps.set(key, client);
  }
  return client;
}

/** Drops and destroys the clients made for `deps` (tests). */
export function closeBedrockClients(deps: ProviderDeps): void {
  for (const client of clients.get(deps)?.values() ?? []) client.destroy();
  clients.delete(deps);
}
