import { execFile, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedDynamo } from '../../local/dynamo.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';

/**
 * The embedded DynamoDB (dynalite) checks no signature, so whoever reaches it owns every key and
 * credential. These tests attack it as another process on the same machine (or a web page in a
 * local browser) would: through any TCP port the gateway's process listens on.
 */

/** The TCP ports a process listens on, read from /proc (Linux): its socket inodes in LISTEN state. */
function listeningTcpPorts(pid: number = process.pid): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // the descriptor closed while listing
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (state === '0A' && inode && inodes.has(inode))
        ports.push(Number.parseInt(local!.split(':')[1]!, 16));
    }
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** One DynamoDB call with a forged signature, as dynalite accepts it (it checks the shape only). */
async function forged(port: number, operation: string, input: object): Promise<{ Items?: unknown[] }> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': '20250101T000000Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=attacker/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
    },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(2_000),
  });
  return (await res.json()) as { Items?: unknown[] };
}

/** Tries to make every item of `keyId` an admin's through `port`; the number of items changed. */
async function escalate(port: number, keyId: string): Promise<number> {
  let changed = 0;
  try {
    const scan = await forged(port, 'Scan', { TableName: 'gateway' });
    for (const item of (scan.Items ?? []) as Array<Record<string, { S?: string }>>) {
      if (item.key_id?.S !== keyId && item.id?.S !== keyId) continue;
      await forged(port, 'UpdateItem', {
        TableName: 'gateway',
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET #r = :admin',
        ExpressionAttributeNames: { '#r': 'role' },
        ExpressionAttributeValues: { ':admin': { S: 'admin' } },
      });
      changed++;
    }
  } catch {
    // not a DynamoDB on this port
  }
  return changed;
}

/** The Unix socket path a running gateway recorded for the tools (`npm run init`, ...). */
function recordedSocket(dataDir: string): string {
  const run = JSON.parse(readFileSync(join(dataDir, 'dynamodb-endpoint.json'), 'utf8')) as {
    endpoint: string;
  };
  expect(run.endpoint).toMatch(/^unix:\//);
  return run.endpoint.slice('unix:'.length);
}

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

describe('local runtime: the embedded DynamoDB is reachable by the gateway alone', () => {
  // One runtime per process at a time (it installs the process's dependencies): this block's
  // gateway stops before the next block starts its own.
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' });
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('listens on no TCP port but the gateway’s own, so a forged UpdateItem cannot make a viewer an admin', async () => {
    // Prepare
    const viewer = await mintKey(gw, { role: 'viewer' });
    const gatewayPort = Number(new URL(gw.url).port);
    // Act: an attacker on this machine tries every TCP port the gateway's process listens on
    const ports = listeningTcpPorts();
    let changed = 0;
    for (const port of ports.filter((p) => p !== gatewayPort)) changed += await escalate(port, viewer.id);
    // Assess
    expect(ports).toEqual([gatewayPort]);
    expect(changed).toBe(0);
    const keysAsViewer = await gw.call('GET', '/api/keys', { key: viewer.key });
    expect(keysAsViewer.status).toBe(403);
    // `REPORT_FIGURES=1 npx vitest run test/integration/local-store-isolation.test.ts` prints the figure for docs/reliability.md.
    if (process.env.REPORT_FIGURES)
      console.info(
        `TCP ports listened on: ${ports.length} (the gateway's own: ${gatewayPort}); items changed by forged calls: ${changed}`,
      );
  });

  it('serves the store on a Unix socket of mode 0600 in a directory only its owner can enter', () => {
    const socket = recordedSocket(gw.runtime.dataDir);
    const stat = lstatSync(socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(stat.uid).toBe(process.getuid?.());
    const dir = lstatSync(dirname(socket));
    expect(dir.isDirectory()).toBe(true);
    expect(dir.mode & 0o077).toBe(0);
    expect(dir.uid).toBe(process.getuid?.());
  });

  it('still lets `npm run init` attach to the running gateway’s store through the recorded socket', async () => {
    // Act: the script as a user runs it, on the gateway's DATA_DIR (no provider keys in its environment)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GATEWAY_RUNTIME: 'local',
      DATA_DIR: gw.runtime.dataDir,
      LOG_LEVEL: 'ERROR',
    };
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'COHERE_API_KEY', 'HF_TOKEN'])
      delete env[name];
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/init.ts'], {
      cwd: ROOT,
      env,
    });
    // Assess: what it wrote is what the running gateway serves
    expect(stdout).toMatch(/Providers created: .*openai/);
    const providers = await gw.call('GET', '/api/providers?limit=100');
    expect(providers.json.data.map((p: { name: string }) => p.name)).toContain('openai');
  });

  it('gives an in-memory store (tests) a socket in a private temporary folder, removed on close', async () => {
    const before = listeningTcpPorts();
    const dynamo = await startEmbeddedDynamo();
    const socket = dynamo.endpoint.slice('unix:'.length);
    expect(dynamo.endpoint).toMatch(/^unix:\//);
    expect(listeningTcpPorts()).toEqual(before);
    expect(lstatSync(socket).mode & 0o777).toBe(0o600);
    expect(lstatSync(dirname(socket)).mode & 0o077).toBe(0);
    await dynamo.close();
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(dirname(socket))).toBe(false);
  });
});

describe('local runtime: the store socket across restarts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-sock-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('removes its socket on stop, replaces a stale one left by a crash, and refuses to take over a live one', async () => {
    // Prepare: a run that stops cleanly leaves no socket behind
    const first = await startTestGateway({ DATA_DIR: dataDir, HEALTH_SCHEDULE: 'off' });
    let socket: string;
    try {
      socket = recordedSocket(dataDir);
    } finally {
      await first.stop();
    }
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(join(dataDir, 'dynamodb-endpoint.json'))).toBe(false);
    // A crashed process left a socket file nobody listens on
    const crashed = spawn(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`,
    ]);
    await new Promise((ready) => crashed.stdout.once('data', ready));
    crashed.kill('SIGKILL');
    await new Promise((gone) => crashed.once('exit', gone));
    expect(lstatSync(socket).isSocket()).toBe(true);
    // Act
    const second = await startTestGateway({ DATA_DIR: dataDir, HEALTH_SCHEDULE: 'off' });
    try {
      // Assess: the new run serves on the same path, and a second store on the same folder is refused
      expect(recordedSocket(dataDir)).toBe(socket);
      expect((await second.call('GET', '/api/keys')).status).toBe(200);
      await expect(startEmbeddedDynamo({ dataDir })).rejects.toThrow(/already serves/);
      expect((await second.call('GET', '/api/keys')).status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
