/**
 * Where the embedded DynamoDB listens: a Unix domain socket only the runtime's owner can reach.
 * dynalite checks no signature and answers any browser origin, so a TCP port (even on loopback)
 * would hand every key and credential to any local process or web page. A socket file of mode 0600
 * in a directory of mode 0700 is reachable by the owner's processes alone (the gateway and the
 * tools that attach to it), and never by a browser.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The socket's name in its directory. */
const SOCKET_NAME = 'dynamodb.sock';

/**
 * Longest socket path, in bytes: `sun_path` holds 104 bytes on macOS and 108 on Linux, the NUL
 * included. libuv silently truncates a longer path (the socket would appear elsewhere), so a longer
 * one is never used.
 */
const MAX_SOCKET_PATH_BYTES = 103;

/** A socket path chosen for a store, and whether its directory is a temporary one to remove. */
interface SocketPlace {
  path: string;
  temporaryDir?: string;
}

/** A directory only the current user may enter: created 0700, or checked and tightened if it exists. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} must be a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw new Error(`${dir} belongs to another user`);
  if ((stat.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

/** `DATA_DIR/sock/dynamodb.sock`, or (in memory, or when that path is too long) a fresh temporary folder. */
function choosePlace(dataDir: string | undefined): SocketPlace {
  if (dataDir) {
    const dir = join(dataDir, 'sock');
    const path = join(dir, SOCKET_NAME);
    if (Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES) {
      privateDir(dir);
      return { path };
    }
  }
  // mkdtemp creates the folder with mode 0700.
  const temporaryDir = mkdtempSync(join(tmpdir(), 'gw-dynamo-'));
  const path = join(temporaryDir, SOCKET_NAME);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    rmSync(temporaryDir, { recursive: true, force: true });
    throw new Error(`no socket path short enough for the embedded DynamoDB (TMPDIR ${tmpdir()} is too long)`);
  }
  return { path, temporaryDir };
}

/** Whether a process accepts connections on the socket at `path`. */
function isServed(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Removes what a crashed run left at `path` (a socket nobody serves). Refuses when a live process
 * serves it: that is another runtime on the same data folder, whose store LevelDB would not share.
 */
async function clearStale(path: string): Promise<void> {
  let exists = true;
  try {
    lstatSync(path);
  } catch {
    exists = false;
  }
  if (!exists) return;
  if (await isServed(path)) {
    throw new Error(
      `another process already serves the embedded DynamoDB at ${path}: is a gateway running on this DATA_DIR?`,
    );
  }
  rmSync(path, { force: true });
}

/** A server listening on a private Unix socket. */
export interface PrivateListener {
  /** Absolute path of the socket (mode 0600). */
  socketPath: string;
  /** Closes the server and removes the socket (and its temporary folder, if it had one). */
  close(): Promise<void>;
}

/**
 * Creates a server with `create` and makes it listen on a private Unix socket:
 * `<dataDir>/sock/dynamodb.sock` when `dataDir` is given, else in a new temporary folder. The
 * folder is 0700 before the socket exists, so there is no moment when another user can connect;
 * the socket itself is then set to 0600. A stale socket from a crashed run is removed first; the
 * server is created only after that check, so a refused start has opened nothing.
 *
 * @throws when another process serves the same socket, or the folder belongs to another user.
 */
export async function listenPrivately(create: () => Server, dataDir?: string): Promise<PrivateListener> {
  const place = choosePlace(dataDir);
  let server: Server | undefined;
  try {
    await clearStale(place.path);
    const created = create();
    server = created;
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(place.path, () => {
        created.off('error', reject);
        resolve();
      });
    });
    chmodSync(place.path, 0o600);
  } catch (error) {
    if (server?.listening) server.close();
    if (place.temporaryDir) rmSync(place.temporaryDir, { recursive: true, force: true });
    throw error;
  }
  const listening = server;
  return {
    socketPath: place.path,
    close: async () => {
      await new Promise<void>((resolve) => listening.close(() => resolve()));
      rmSync(place.path, { force: true });
      if (place.temporaryDir) rmSync(place.temporaryDir, { recursive: true, force: true });
    },
  };
}
