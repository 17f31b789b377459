import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStaticPath, serveStatic } from '../../local/static-files.js';

let root: string;
let server: Server;
let base: string;

/** A server that answers from `dir` like the gateway does, and 404 for what it does not serve. */
function serve(dir: string): Server {
  return createServer(async (req, res) => {
    const served = await serveStatic(
      res,
      { method: req.method ?? 'GET', pathname: new URL(req.url ?? '/', 'http://x').pathname },
      dir,
    );
    if (!served) res.writeHead(404).end('not found');
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dash-'));
  mkdirSync(join(root, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(root, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'outside the dashboard');
  server = serve(join(root, 'dist'));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(root, { recursive: true, force: true });
});

describe('local runtime: dashboard static files', () => {
  it('serves index.html at / without long caching, and hashed assets as immutable', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    const asset = await fetch(`${base}/assets/index-abc.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log(1)');
  });

  it('never serves a file outside the folder, however the path is spelled', async () => {
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/a%00b',
    ]) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(404);
    }
    expect(resolveStaticPath('/srv/dist', '/..%2f..%2fetc/passwd')).toBeUndefined();
    expect(resolveStaticPath('/srv/dist', '/%E0%A4%A')).toBeUndefined();
    expect(resolveStaticPath('/srv/dist', '/')).toBe('/srv/dist/index.html');
  });

  it('leaves other methods and missing files to the API 404', async () => {
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/api/index.html`)).status).toBe(404);
  });

  it('says how to build the dashboard when it has not been built', async () => {
    const unbuilt = serve(join(root, 'nowhere'));
    await new Promise<void>((ready) => unbuilt.listen(0, '127.0.0.1', () => ready()));
    const res = await fetch(`http://127.0.0.1:${(unbuilt.address() as AddressInfo).port}/`);
    await new Promise<void>((done) => unbuilt.close(() => done()));
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run dashboard:build');
  });
});
