import type { Config } from '../config.js';
import { DocumentClient } from './document-client.js';

/** How `DYNAMODB_ENDPOINT` names a DynamoDB served on a Unix domain socket: `unix:/abs/path.sock`. */
const UNIX_SCHEME = 'unix:';

/** The `Host` requests to a socket-served DynamoDB carry and sign (no port: nothing listens on TCP). */
const SOCKET_HOST_ORIGIN = 'http://localhost';

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
 * embedded one, which only its owner may reach). This is the one place that reads the form, so a
 * client built another way (a different SDK) changes only here.
 */
export function storeAddress(endpoint: string | undefined): StoreAddress {
  if (endpoint === undefined) return {};
  if (endpoint.startsWith(UNIX_SCHEME)) {
    return { endpoint: SOCKET_HOST_ORIGIN, socketPath: endpoint.slice(UNIX_SCHEME.length) };
  }
  return { endpoint };
}

/**
 * Creates the DynamoDB document client: once per container, then injected. `DYNAMODB_ENDPOINT`
 * points the same code at another DynamoDB (the embedded one on its Unix socket, or any compatible
 * server; see {@link storeAddress}). Retries are bounded (3 attempts, the SDK's standard mode) so a
 * throttled table surfaces as a 503.
 */
export function createDocumentClient(
  config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>,
): DocumentClient {
  return DocumentClient.create({
    region: config.AWS_REGION,
    ...storeAddress(config.DYNAMODB_ENDPOINT),
    maxAttempts: 3,
  });
}
