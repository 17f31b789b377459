import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSettings } from '../../lib/config-settings.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const folder = mkdtempSync(join(tmpdir(), 'gw-start-errors-'));
const running: ChildProcess[] = [];

afterAll(async () => {
  for (const child of running) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
  }
  rmSync(folder, { recursive: true, force: true });
});

/** `npm start` run from `cwd` (npm's INIT_CWD), as a user would from that folder. */
function npmStart(env: Record<string, string>, options: { cwd?: string; args?: string[] } = {}) {
  const { ADMIN_API_KEY: _a, PORT: _p, DATA_DIR: _d, ...inherited } = process.env;
  const child = spawn('npm', ['--prefix', ROOT, 'start', '--silent', '--', ...(options.args ?? [])], {
    cwd: options.cwd ?? folder,
    env: { ...inherited, LOG_LEVEL: 'WARN', HEALTH_SCHEDULE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, out: () => stdout, err: () => stderr };
}

/** Waits for the "listening on" line; returns the URL. */
async function listening(started: ReturnType<typeof npmStart>): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const match = started.out().match(/listening on (http:\/\/\S+)/);
    if (match) return match[1]!;
    if (started.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`did not start: ${started.out()}${started.err()}`);
}

/** One line on stderr, exit code 1, no stack trace. */
async function expectOneLineFailure(started: ReturnType<typeof npmStart>, message: RegExp) {
  expect(await started.exit).toBe(1);
  expect(started.err()).toMatch(/^Could not start the gateway: [^\n]+\n$/);
  expect(started.err()).toMatch(message);
  expect(started.err() + started.out()).not.toMatch(/\n\s+at /);
}

describe('npm start: a local runtime that explains itself', () => {
  it('--help lists every local setting with its default and meaning, and exits without starting', async () => {
    const started = npmStart({ DATA_DIR: join(folder, 'never-created') }, { args: ['--help'] });
    expect(await started.exit).toBe(0);
    const local = describeSettings().filter((s) => s.scope !== 'aws' && s.name !== 'GATEWAY_RUNTIME');
    expect(local.length).toBeGreaterThan(20);
    for (const setting of local) {
      expect(started.out()).toContain(`${setting.name} `);
      expect(started.out()).toMatch(
        new RegExp(`${setting.name}\\s+default ${setting.fallback.replace(/[()]/g, '\\$&')};`),
      );
    }
    expect(started.out()).toContain('HTTP port of the local runtime');
    expect(() => readFileSync(join(folder, 'never-created'))).toThrow(/ENOENT/);
  });

  it('reads .env from the folder npm runs in, and the environment wins over it', async () => {
    const project = join(folder, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, '.env'),
      `# local settings\nDATA_DIR=${join(project, 'from-dotenv')}\nPORT=70000\n`,
    );
    const started = npmStart({ PORT: '0' }, { cwd: project });
    await listening(started);
    expect(started.out()).toContain(`(data in ${join(project, 'from-dotenv')})`);
    expect(readFileSync(join(project, 'from-dotenv', 'gateway.pid'), 'utf8').trim()).toMatch(/^\d+$/);
  });

  it('refuses a second gateway on a data folder in use, naming the pid that holds it', async () => {
    const dataDir = join(folder, 'shared');
    const first = npmStart({ PORT: '0', DATA_DIR: dataDir });
    const url = await listening(first);
    const holder = readFileSync(join(dataDir, 'gateway.pid'), 'utf8').trim();
    const second = npmStart({ PORT: '0', DATA_DIR: dataDir });
    await expectOneLineFailure(
      second,
      new RegExp(`data folder ${dataDir} is in use by another running gateway or tool \\(pid ${holder}\\)`),
    );
    // The first one is untouched.
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('refuses a data folder that cannot be created, and one that cannot be written', async () => {
    writeFileSync(join(folder, 'a-file'), 'not a folder');
    await expectOneLineFailure(
      npmStart({ PORT: '0', DATA_DIR: join(folder, 'a-file', 'data') }),
      /cannot create the data folder .*a-file\/data \(ENOTDIR\)/,
    );
    // /sys is a read-only file system, whoever runs the test (root ignores folder modes).
    await expectOneLineFailure(
      npmStart({ PORT: '0', DATA_DIR: '/sys' }),
      /cannot write to the data folder \/sys \((EACCES|EROFS)\)/,
    );
  });

  it('says which port is in use', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expectOneLineFailure(
        npmStart({ PORT: String(port), DATA_DIR: join(folder, 'port-taken') }),
        new RegExp(`port ${port} on 127.0.0.1 is in use by another process`),
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    // The failed start released its data folder.
    expect(() => readFileSync(join(folder, 'port-taken', 'gateway.pid'))).toThrow(/ENOENT/);
  });

  it('refuses a configuration value out of range before touching the data folder', async () => {
    await expectOneLineFailure(
      npmStart({ PORT: '0', DATA_DIR: join(folder, 'bad-value'), LOCAL_MAX_IN_FLIGHT: '0' }),
      /LOCAL_MAX_IN_FLIGHT must be an integer from 1 to 100000 \(got "0"\)/,
    );
    expect(() => readFileSync(join(folder, 'bad-value'))).toThrow(/ENOENT/);
  });
});
