import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';
import { UndiciHttpHandler } from './undici-handler.js';

/** How `DYNAMODB_ENDPOINT` names a DynamoDB served on a Unix domain socket: `unix:/abs/path.sock`. */
const UNIX_SCHEME = 'unix:';

/** The `Host` requests to a socket-served DynamoDB carry and sign (no port: nothing listens on TCP). */
const SOCKET_HOST_ORIGIN = 'http://localhost';

/**
 * Attempts per operation, the first included, in the SDK's `standard` retry mode: throttling, 5xx
 * and connection faults are retried twice with jittered exponential backoff, then surface (a
 * throttled table becomes our 503 `storage_throttled`). Bounded so a request never spends its
 * whole deadline retrying; `adaptive` mode would add client-side rate limiting we do not want on
 * the hot path.
 */
export const STORE_MAX_ATTEMPTS = 3;

/** Milliseconds to establish a connection (DynamoDB is in-region: a slow connect is a dead one). */
const CONNECTION_TIMEOUT_MS = 3_000;
/**
 * Milliseconds one attempt may take, request and response: thrown as a (retried) `TimeoutError`.
 * Generous, because the local runtime's embedded DynamoDB shares the event loop with tests' load.
 */
const REQUEST_TIMEOUT_MS = 10_000;
/** Keep-alive sockets per container (Lambda serves one request at a time; the local runtime more). */
const MAX_SOCKETS = 64;

/** The credentials a non-AWS DynamoDB gets: dynalite checks no signature, no chain is consulted. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Where the store is reached: an HTTP(S) endpoint, or a Unix socket with the origin its requests name. */
export interface StoreAddress {
  /** Unset: the region's AWS endpoint. */
  endpoint?: string;
  /** Set: dial this socket instead of `endpoint`'s host (the embedded DynamoDB). */
  socketPath?: string;
}

/** The `DYNAMODB_ENDPOINT` value that names a store listening on the Unix socket `socketPath` (absolute). */
export function unixEndpoint(socketPath: string): string {
  return `${UNIX_SCHEME}${socketPath}`;
}

/**
 * Reads `DYNAMODB_ENDPOINT` into a transport: unset is AWS's endpoint for the region; `http(s)://…`
 * is that server, as given; `unix:/abs/path` is a DynamoDB on a Unix socket (the local runtime's
 * embedded one, which only its owner may reach). This is the one place that reads the form.
 */
export function storeAddress(endpoint: string | undefined): StoreAddress {
  if (endpoint === undefined) return {};
  if (endpoint.startsWith(UNIX_SCHEME)) {
    return { endpoint: SOCKET_HOST_ORIGIN, socketPath: endpoint.slice(UNIX_SCHEME.length) };
  }
  return { endpoint };
}

/** Whether an endpoint is AWS's own (then the SDK's credential chain signs for it). */
function isAwsEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host.endsWith('.amazonaws.com') || host.endsWith('.amazonaws.com.cn') || host.endsWith('.api.aws');
}

/** The SDK's HTTP transport: undici, with keep-alive connections and bounded connect and request times. */
function httpHandler(socketPath: string | undefined): UndiciHttpHandler {
  return new UndiciHttpHandler({
    socketPath,
    connectTimeoutMs: CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    connections: MAX_SOCKETS,
  });
}

/**
 * The SDK makes a new SigV4 signer for every request, copying the whole client configuration into
 * it; this client's region and service never change, so the first signer is kept and then only
 * signs (about 45 µs of CPU less per call, `bench/dynamo-client-cost.ts`). It still takes its
 * credentials from the client's provider on every signature (refreshed as the SDK refreshes them);
 * a failed creation is not kept.
 */
function keepFirstSigner(client: DynamoDBClient): void {
  const create = client.config.signer;
  let kept: ReturnType<typeof create> | undefined;
  client.config.signer = (authScheme) => {
    kept ??= create(authScheme).catch((error: unknown) => {
      kept = undefined;
      throw error;
    });
    return kept;
  };
}

/** The DynamoDB clients of one container: the document client, and the low-level client under it. */
export interface StoreClients {
  document: DynamoDBDocumentClient;
  /** The same connections and configuration; for operations sent with values already marshalled. */
  dynamo: DynamoDBClient;
}

/**
 * Creates the DynamoDB clients: once per container (`createGateway`), private to `lib/store` (services
 * go through `Table`); tests build their own only to read past `Table` (a scan). `DYNAMODB_ENDPOINT`
 * points the same code at another DynamoDB (see {@link storeAddress}): any endpoint outside AWS gets
 * fixed dummy credentials; AWS's endpoints the SDK's default chain (Lambda's role). Retries: see
 * {@link STORE_MAX_ATTEMPTS}. Values are marshalled with `removeUndefinedValues` (an optional field
 * left undefined is simply not stored) and numbers read back as JavaScript numbers.
 */
export function createStoreClients(config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>): StoreClients {
  const address = storeAddress(config.DYNAMODB_ENDPOINT);
  const local = address.endpoint !== undefined && !isAwsEndpoint(address.endpoint);
  const options = {
    region: config.AWS_REGION,
    ...(address.endpoint ? { endpoint: address.endpoint } : {}),
    ...(local ? { credentials: LOCAL_CREDENTIALS } : {}),
    maxAttempts: STORE_MAX_ATTEMPTS,
    retryMode: 'standard',
    // One handler, so both clients share one pool of keep-alive connections.
    requestHandler: httpHandler(address.socketPath),
  };
  // The low-level client resolves its middleware chain once per command class instead of on every
  // call (`cacheMiddleware`); the document client cannot, so it sits on a client of its own.
  const dynamo = new DynamoDBClient({ ...options, cacheMiddleware: true });
  const underDocument = new DynamoDBClient(options);
  keepFirstSigner(dynamo);
  keepFirstSigner(underDocument);
  const document = DynamoDBDocumentClient.from(underDocument, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { document, dynamo };
}
