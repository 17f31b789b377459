/**
 * A fake provider on 127.0.0.1 whose behaviour a test switches at will: up (a model list), down
 * (503), hang (accepts, never answers), unauthorized (401), throttled (429), html (a 200 HTML page).
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMode = 'up' | 'down' | 'hang' | 'unauthorized' | 'throttled' | 'html';

export interface FakeUpstream {
  /** Base URL, e.g. `http://127.0.0.1:40123/v1`. */
  url: string;
  mode: FakeMode;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

function answer(mode: FakeMode, res: ServerResponse): void {
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  switch (mode) {
    case 'hang':
      break;
    case 'up':
      json(200, { object: 'list', data: [{ id: 'fake-model', object: 'model' }] });
      break;
    case 'down':
      json(503, { error: { message: 'upstream unavailable' } });
      break;
    case 'unauthorized':
      json(401, { error: { message: 'bad key' } });
      break;
    case 'throttled':
      res.setHeader('retry-after', '1');
      json(429, { error: { message: 'slow down' } });
      break;
    default:
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>maintenance</body></html>');
  }
}

/** Starts a fake upstream in `mode`; `fake.mode = …` switches it between requests. */
export async function startFakeUpstream(mode: FakeMode = 'up'): Promise<FakeUpstream> {
  const fake = { mode, requests: [] } as unknown as FakeUpstream & { server: Server };
  const server = createServer((req, res) => {
    fake.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    answer(fake.mode, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}/v1`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}
