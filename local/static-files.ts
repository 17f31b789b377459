/**
 * Serves the built operator dashboard (`dashboard/dist`) for GET and HEAD requests that match no API
 * route: `/` is `index.html`, `/assets/*` are Vite's content-hashed files (cached for a year).
 * Paths are resolved inside the folder only; anything else is left to the caller's 404.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_SECURITY_HEADERS } from '../lib/console/security-headers.js';

/** Where `npm run dashboard:build` writes the page. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file under `root` a URL path names, or undefined for a path that escapes it or is malformed. */
export function resolveStaticPath(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(base, relative);
  return file.startsWith(base + sep) ? file : undefined;
}

/**
 * Answers the request from the dashboard folder when it names a file there; returns false (nothing
 * written) otherwise. `/` before a build answers 503 with how to build it.
 */
export async function serveStatic(
  res: ServerResponse,
  request: { method: string; pathname: string },
  root: string = DASHBOARD_DIR,
): Promise<boolean> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  // The API's namespaces answer JSON, even for a path that happens to name a dashboard file.
  if (/^\/(api|v1)(\/|$)/.test(request.pathname)) return false;
  const file = resolveStaticPath(root, request.pathname);
  if (!file) return false;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    if (request.pathname !== '/') return false;
    const body = 'The dashboard has not been built. Run `npm run dashboard:build`, then reload.\n';
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(request.method === 'HEAD' ? undefined : body);
    return true;
  }
  const body = await readFile(file);
  const immutable = request.pathname.startsWith('/assets/');
  res.writeHead(200, {
    ...CONSOLE_SECURITY_HEADERS,
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(body.length),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(request.method === 'HEAD' ? undefined : body);
  return true;
}
