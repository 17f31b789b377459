/**
 * A new user's first two commands: a fresh clone of this repository's HEAD, `npm ci` (offline,
 * from the npm cache: this network reaches no registry mirror the test could rely on), then
 * `npm start`, and the console answers at `/` with its page and script. `npm ci` builds the
 * console in `postinstall`; a build that failed there would leave `/` answering 503.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, type StartedGateway, startNpmGateway } from '../support/npm-start.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'gw-clone-'));
const checkout = join(work, 'gateway');
let started: StartedGateway | undefined;

/** Runs a command to its end; rejects with its output on a non-zero exit. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')}: exit ${code}\n${out}`)),
    );
  });
}

afterAll(async () => {
  if (started && started.child.exitCode === null && started.child.signalCode === null) {
    process.kill(-started.child.pid!, 'SIGTERM');
    await started.exited;
  }
  // The clone holds a whole node_modules (~400 MB): removing it takes a while on a busy disk.
  await rm(work, { recursive: true, force: true });
}, 180_000);

describe('a fresh clone: npm ci && npm start', () => {
  it('serves the built console at / with its script, under the strict CSP', async () => {
    await run('git', ['clone', '--quiet', ROOT, checkout], work);
    await run('npm', ['ci', '--offline', '--prefer-offline', '--no-audit', '--no-fund'], checkout);
    const port = await freePort();
    started = await startNpmGateway({ port, dataDir: join(work, 'data'), cwd: checkout, timeoutMs: 60_000 });

    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const script = html.match(/<script type="module"[^>]*src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`http://127.0.0.1:${port}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await asset.text()).length).toBeGreaterThan(1000);

    process.kill(-started.child.pid!, 'SIGINT');
    await started.exited;
    expect(started.output()).not.toMatch(/Error|Could not start/);
  }, 240_000);
});
