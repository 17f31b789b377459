/**
 * The AWS SDK's HTTP transport for DynamoDB, over undici instead of `node:http`. The SDK takes any
 * `HttpHandler` (`requestHandler`); this one sends each signed request through one keep-alive undici
 * Agent, which costs less CPU per call than `NodeHttpHandler` (its per-request sockets events,
 * timers and agent bookkeeping): measured with `bench/dynamo-client-cost.ts`, see
 * `docs/benchmarks.md`. Everything above the transport (signing, retries, serde, errors) is the SDK's.
 */
import { type HttpHandler, type HttpRequest, HttpResponse } from '@smithy/core/protocols';
import type { HttpHandlerOptions } from '@smithy/types';
import { Agent } from '../net/undici.js';

/** Options of {@link UndiciHttpHandler}. */
export interface UndiciHandlerOptions {
  /** Dial this Unix socket for every request, whatever host it names (the embedded DynamoDB). */
  socketPath?: string | undefined;
  /** Milliseconds to establish a connection. */
  connectTimeoutMs: number;
  /** Milliseconds for the response to start, and between body chunks. */
  requestTimeoutMs: number;
  /** Connections kept per origin. */
  connections: number;
}

/** An SDK `HttpHandler` over one undici Agent. */
export class UndiciHttpHandler implements HttpHandler<HttpHandlerOptions> {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  readonly #agent: Agent;

  constructor(options: UndiciHandlerOptions) {
    this.#agent = new Agent({
      connections: options.connections,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connect: {
        timeout: options.connectTimeoutMs,
        ...(options.socketPath ? { socketPath: options.socketPath } : {}),
      },
    });
  }

  /** Sends one request; the SDK reads the body stream it returns. */
  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const port = request.port ? `:${request.port}` : '';
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const one of Array.isArray(value) ? value : [value]) if (one !== null) query.append(name, one);
    }
    const search = query.size > 0 ? `?${query}` : '';
    const signal = options.abortSignal instanceof AbortSignal ? options.abortSignal : undefined;
    const res = await this.#agent.request({
      origin: `${request.protocol}//${request.hostname}${port}`,
      path: `${request.path}${search}`,
      method: request.method as 'POST',
      headers: request.headers,
      body: request.body as string | Uint8Array | undefined,
      ...(signal ? { signal } : {}),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { response: new HttpResponse({ statusCode: res.statusCode, headers, body: res.body }) };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): HttpHandlerOptions {
    return {};
  }

  /** Closes the Agent's connections. */
  destroy(): void {
    void this.#agent.close().catch(() => undefined);
  }
}
