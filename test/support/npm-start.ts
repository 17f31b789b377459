import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A free TCP port on loopback (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `npm start` as a user runs it, in its own process group (a signal reaches npm, tsx and node). */
export interface StartedGateway {
  child: ChildProcess;
  /** Settles when npm exits. */
  exited: Promise<void>;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  /** Milliseconds until `/health` answered. */
  readyMs: number;
}

/**
 * Spawns `npm start --silent` on `port` and `dataDir` (the caller's `ADMIN_API_KEY` removed, so the
 * runtime generates or reads its own) and waits until `/health` answers; throws after `timeoutMs`.
 */
export async function startNpmGateway(options: {
  port: number;
  dataDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** The checkout to start (default: this repository). */
  cwd?: string;
}): Promise<StartedGateway> {
  const { ADMIN_API_KEY: _ignored, ...env } = process.env;
  const child = spawn('npm', ['start', '--silent'], {
    cwd: options.cwd ?? ROOT,
    env: { ...env, PORT: String(options.port), DATA_DIR: options.dataDir, LOG_LEVEL: 'WARN', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const began = Date.now();
  for (;;) {
    if (Date.now() - began > (options.timeoutMs ?? 15_000)) throw new Error(`gateway did not start: ${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${options.port}/health`);
      if (res.ok) return { child, exited, output: () => out, readyMs: Date.now() - began };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
