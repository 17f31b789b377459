/**
 * A minimal HTTP front for tests only: `/v1/chat/completions`, `/v1/embeddings` and `/v1/messages`
 * wired straight onto the provider layer's service API, so the official OpenAI and Anthropic SDKs
 * can prove the wire shapes (answers, SSE chunks, errors) against any fake provider. It is also a
 * compact reference of how endpoints use `invokeChat` and the Anthropic compatibility layer; the
 * real endpoints (auth, routing, headers, usage recording) are built elsewhere.
 */
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdapterDeps, Credential, ProviderRecord } from '../../lib/adapters/contract.js';
import { invokeChat, invokeEmbeddings } from '../../lib/adapters/invoke.js';
import {
  AnthropicStreamWriter,
  anthropicErrorBody,
  anthropicMessagesRequestSchema,
  anthropicSse,
  anthropicToCanonical,
  canonicalToAnthropic,
} from '../../lib/ai/anthropic-compat.js';
import { chatCompletionRequestSchema } from '../../lib/ai/schemas/chat.js';
import { embeddingsRequestSchema } from '../../lib/ai/schemas/operations.js';
import { formatSseEvent, SSE_DONE } from '../../lib/ai/sse.js';
import type { ChatCompletionRequest } from '../../lib/ai/types.js';
import { GatewayError } from '../../lib/errors.js';

export interface Target {
  provider: ProviderRecord;
  model: string;
  credential: Credential;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function openAIError(res: ServerResponse, error: unknown): void {
  const status = error instanceof GatewayError ? error.statusCode : 500;
  const message = error instanceof GatewayError && error.expose ? error.message : 'internal error';
  const code = error instanceof GatewayError ? error.code : 'internal_error';
  send(
    res,
    status,
    { error: { message, type: code, code } },
    error instanceof GatewayError ? error.headers : {},
  );
}

export class MiniGateway {
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on(
      'end',
      () => void this.route(req.url ?? '', JSON.parse(Buffer.concat(chunks).toString() || '{}'), res),
    );
  });

  constructor(
    private readonly deps: AdapterDeps,
    public target: Target,
  ) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(url: string, body: unknown, res: ServerResponse): Promise<void> {
    if (url.startsWith('/v1/chat/completions'))
      return this.chat(body, res).catch((e: unknown) => openAIError(res, e));
    if (url.startsWith('/v1/embeddings'))
      return this.embeddings(body, res).catch((e: unknown) => openAIError(res, e));
    if (url.startsWith('/v1/messages'))
      return this.messages(body, res).catch((e: unknown) => send(res, 502, anthropicErrorBody(e)));
    send(res, 404, { error: { message: 'not found' } });
  }

  private invoke(request: ChatCompletionRequest) {
    return invokeChat({ ...this.target, request, deps: this.deps, deadline: Date.now() + 10_000 });
  }

  private async chat(body: unknown, res: ServerResponse): Promise<void> {
    const result = await this.invoke(chatCompletionRequestSchema.parse(body));
    if (!result.stream) return send(res, 200, result.response);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for await (const chunk of result.stream) res.write(formatSseEvent({ data: JSON.stringify(chunk) }));
    res.end(SSE_DONE);
  }

  private async embeddings(body: unknown, res: ServerResponse): Promise<void> {
    const result = await invokeEmbeddings({
      ...this.target,
      request: embeddingsRequestSchema.parse(body),
      deps: this.deps,
    });
    send(res, 200, result.response);
  }

  private async messages(body: unknown, res: ServerResponse): Promise<void> {
    const parsed = anthropicMessagesRequestSchema.parse(body);
    const result = await this.invoke(anthropicToCanonical(parsed));
    if (!result.stream) return send(res, 200, canonicalToAnthropic(result.response, result.usage));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const writer = new AnthropicStreamWriter({ id: 'gw', model: parsed.model });
    try {
      for await (const chunk of result.stream) res.write(anthropicSse(writer.push(chunk)));
      res.end(anthropicSse(writer.end(result.stream.result?.usage ?? null)));
    } catch (error) {
      res.end(anthropicSse([writer.error(error)]));
    }
  }
}
