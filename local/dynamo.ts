import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { unixEndpoint } from '../lib/store/client.js';
import type { ChangeCapture } from './change-stream/capture.js';
import { listenPrivately } from './store-socket.js';

/** A running embedded DynamoDB: where it listens and how to stop it (flushing LevelDB). */
export interface EmbeddedDynamo {
  /** Its `DYNAMODB_ENDPOINT`: `unix:<socketPath>`. */
  endpoint: string;
  /** The Unix socket it listens on (mode 0600, in a folder of mode 0700). */
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a private Unix socket (see `store-socket.ts`), never on a TCP port: dynalite
 * checks no signature. With `dataDir` it persists under `<dataDir>/dynamodb` (a restart keeps the
 * data) and listens on `<dataDir>/sock/dynamodb.sock`; without, it is in memory (tests) on a socket
 * in a temporary folder. Fails when another process already serves that data folder's socket.
 */
export async function startEmbeddedDynamo(
  options: { dataDir?: string; capture?: ChangeCapture } = {},
): Promise<EmbeddedDynamo> {
  let path: string | undefined;
  if (options.dataDir) {
    path = join(options.dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const start = () => dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // With a capture, every item write is recorded for the local change stream (local/change-stream).
  const create = () => (options.capture ? options.capture.install(start) : start());
  const listener = await listenPrivately(create, options.dataDir);
  return {
    endpoint: unixEndpoint(listener.socketPath),
    socketPath: listener.socketPath,
    close: () => listener.close(),
  };
}
