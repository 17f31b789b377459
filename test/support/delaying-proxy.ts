import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy in front of dynalite (on its Unix socket) that holds the requests whose body contains
 * `marker` (an entity name such as `usage_hour`) for `delayMs` before passing them on, so a test can
 * tell what waits for those writes and what does not.
 */
export function delayingProxy(
  socketPath: string,
  hold: { marker: string; delayMs: number },
): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const out = httpRequest(
          { socketPath, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
          },
        );
        out.end(body);
      };
      if (body.includes(hold.marker)) setTimeout(forward, hold.delayMs);
      else forward();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}
