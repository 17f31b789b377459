/**
 * A scriptable fake upstream: a real HTTP server on 127.0.0.1 (random port) that records every
 * request (method, path, headers incl. auth, raw and parsed body) and every TCP connection, answers
 * each route with its wire format's default behaviour, and can be scripted per test with one-shot
 * behaviours: fixed replies, errors with `Retry-After`, malformed JSON, HTML, oversized bodies,
 * streams that stall or end early, requests never answered, connection resets and redirects.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Server, Socket } from 'node:net';

/** What the fake uses of a response, common to HTTP/1 and the HTTP/2 compatibility API. */
interface ServerResponse {
  writeHead(status: number, headers?: Record<string, string>): unknown;
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string | Uint8Array): unknown;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly socket: Socket | null;
}
type ServerRequest = http.IncomingMessage | http2.Http2ServerRequest;

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON, when it was JSON. */
  json: unknown;
}

/** One SSE event to send: `data` objects are JSON-encoded. */
export interface SseScript {
  event?: string;
  data: unknown;
}

export type Behaviour =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | {
      kind: 'raw';
      status?: number;
      body: string | Buffer;
      contentType?: string;
      headers?: Record<string, string>;
    }
  | {
      kind: 'sse';
      events: SseScript[];
      stallAfter?: number;
      endEarly?: boolean;
      headers?: Record<string, string>;
      gapMs?: number;
    }
  | { kind: 'frames'; frames: Uint8Array[]; contentType: string; stallAfter?: number; endEarly?: boolean }
  | {
      /** `body` sent `pieceBytes` at a time, one piece per turn of the event loop, until the client hangs up. */
      kind: 'trickle';
      body: string | Buffer;
      pieceBytes: number;
      contentType?: string;
      /** Stops once `at` bytes are sent: calls `reached`, then goes on when `resume` settles. */
      pause?: { at: number; reached: () => void; resume: Promise<void> };
      /** Called when the client (the gateway) closes the connection. */
      onClose?: () => void;
    }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'redirect'; location: string; status?: number }
  | { kind: 'oversized'; bytes: number; contentType?: string; chunked?: boolean };

export type DefaultHandler = (request: RecordedRequest) => Behaviour | Promise<Behaviour>;

/** A route key: `POST /v1/chat/completions`; a trailing `*` matches any rest (`POST /model/*`). */
type RouteKey = string;

function matches(route: RouteKey, method: string, path: string): boolean {
  const [routeMethod, routePath = ''] = route.split(' ');
  if (routeMethod !== method && routeMethod !== '*') return false;
  return routePath.endsWith('*') ? path.startsWith(routePath.slice(0, -1)) : routePath === path;
}

export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  /** TCP connections accepted so far. */
  connections = 0;
  private readonly server: Server;
  private readonly scripted: Array<{ route: RouteKey; behaviour: Behaviour }> = [];
  private readonly sockets = new Set<Socket>();
  private readonly held = new Set<ServerResponse>();
  private port = 0;

  /**
   * @param options.http2 - speak HTTP/2 cleartext (prior knowledge), as the Bedrock SDK does.
   */
  constructor(
    private readonly defaults: Record<RouteKey, DefaultHandler>,
    options: { http2?: boolean } = {},
  ) {
    const onRequest = (req: ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, res as ServerResponse, Buffer.concat(chunks)));
    };
    this.server = options.http2 ? http2.createServer(onRequest) : http.createServer(onRequest);
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts listening; resolves with the origin (`http://127.0.0.1:<port>`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.origin;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queues one-shot behaviours for a route, used in order before the default. */
  script(route: RouteKey, ...behaviours: Behaviour[]): this {
    for (const behaviour of behaviours) this.scripted.push({ route, behaviour });
    return this;
  }

  /** Requests to a path (all methods). */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  last(): RecordedRequest {
    const request = this.requests.at(-1);
    if (request === undefined) throw new Error('the fake received no request');
    return request;
  }

  reset(): void {
    this.requests.length = 0;
    this.scripted.length = 0;
    this.connections = 0;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.socket?.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: ServerRequest, res: ServerResponse, body: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    let json: unknown;
    try {
      json = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      json = undefined;
    }
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      json,
    };
    this.requests.push(request);
    const index = this.scripted.findIndex((s) => matches(s.route, request.method, request.path));
    let behaviour: Behaviour | Promise<Behaviour> | undefined;
    if (index >= 0) behaviour = this.scripted.splice(index, 1)[0]?.behaviour;
    else {
      const key = Object.keys(this.defaults).find((route) => matches(route, request.method, request.path));
      behaviour =
        key === undefined
          ? { kind: 'json', status: 404, body: { error: { message: 'no such route' } } }
          : this.defaults[key]?.(request);
    }
    const reset: Behaviour = { kind: 'reset' };
    void Promise.resolve(behaviour ?? reset).then((b) => this.respond(res, b));
  }

  private async respond(res: ServerResponse, behaviour: Behaviour): Promise<void> {
    switch (behaviour.kind) {
      case 'json':
        res.writeHead(behaviour.status ?? 200, { 'content-type': 'application/json', ...behaviour.headers });
        res.end(JSON.stringify(behaviour.body));
        return;
      case 'raw':
        res.writeHead(behaviour.status ?? 200, {
          'content-type': behaviour.contentType ?? 'application/json',
          ...behaviour.headers,
        });
        res.end(behaviour.body);
        return;
      case 'sse':
        return this.sse(res, behaviour);
      case 'frames':
        return this.frames(res, behaviour);
      case 'trickle':
        return this.trickle(res, behaviour);
      case 'hang':
        this.held.add(res);
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'redirect':
        res.writeHead(behaviour.status ?? 302, { location: behaviour.location });
        res.end();
        return;
      case 'oversized':
        return this.oversized(res, behaviour);
    }
  }

  private async sse(res: ServerResponse, b: Extract<Behaviour, { kind: 'sse' }>): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...b.headers });
    for (const [index, event] of b.events.entries()) {
      if (b.stallAfter !== undefined && index >= b.stallAfter) {
        this.held.add(res);
        return;
      }
      const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
      res.write(`${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${data}\n\n`);
      if (b.gapMs) await new Promise((resolve) => setTimeout(resolve, b.gapMs));
    }
    if (b.endEarly) res.socket?.destroy();
    else res.end();
  }

  private frames(res: ServerResponse, b: Extract<Behaviour, { kind: 'frames' }>): void {
    res.writeHead(200, { 'content-type': b.contentType });
    for (const [index, frame] of b.frames.entries()) {
      if (b.stallAfter !== undefined && index >= b.stallAfter) {
        this.held.add(res);
        return;
      }
      res.write(frame);
    }
    if (b.endEarly) res.socket?.destroy();
    else res.end();
  }

  private async trickle(res: ServerResponse, b: Extract<Behaviour, { kind: 'trickle' }>): Promise<void> {
    res.writeHead(200, { 'content-type': b.contentType ?? 'text/event-stream' });
    res.on('error', () => undefined);
    const socket = res.socket;
    let closed = socket === null;
    socket?.setNoDelay(true);
    socket?.once('close', () => {
      closed = true;
      b.onClose?.();
    });
    const body = Buffer.from(b.body);
    let paused = false;
    for (let at = 0; at < body.length && !closed; at += b.pieceBytes) {
      if (b.pause && !paused && at >= b.pause.at) {
        paused = true;
        b.pause.reached();
        await b.pause.resume;
      }
      res.write(body.subarray(at, at + b.pieceBytes));
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!closed) res.end();
  }

  private oversized(res: ServerResponse, b: Extract<Behaviour, { kind: 'oversized' }>): void {
    const headers: Record<string, string> = { 'content-type': b.contentType ?? 'application/json' };
    if (!b.chunked) headers['content-length'] = String(b.bytes);
    res.writeHead(200, headers);
    const block = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < b.bytes) {
        const piece = block.subarray(0, Math.min(block.length, b.bytes - sent));
        sent += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  }
}

/** The bearer token of a recorded request, if any. */
export function bearer(request: RecordedRequest): string | undefined {
  const auth = request.headers.authorization;
  return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
}
