import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedProvider, startTestGateway, type TestGateway } from '../support/runtime.js';

/**
 * A client that abandons a stream is still counted: the case, a fake OpenAI upstream that
 * streams one token every 50 ms and a client that hangs up after 0.6 s.
 */

const TOKEN_EVERY_MS = 50;
const TOKENS = 200;

/** A fake OpenAI chat stream: one ` word` chunk every 50 ms; says when its client left and what it had sent. */
function slowUpstream(): Promise<{
  server: Server;
  origin: string;
  sent: () => number;
  closed: Promise<number>;
}> {
  let sent = 0;
  let resolveClosed!: (elapsedMs: number) => void;
  const closed = new Promise<number>((resolve) => {
    resolveClosed = resolve;
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const began = Date.now();
      const timer = setInterval(() => {
        if (sent >= TOKENS) {
          clearInterval(timer);
          res.end('data: [DONE]\n\n');
          return;
        }
        const chunk = {
          id: 'chatcmpl-slow',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'gpt-4o-mini',
          choices: [{ index: 0, delta: { content: ' word' }, finish_reason: null }],
        };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        sent += 1;
      }, TOKEN_EVERY_MS);
      res.on('close', () => {
        clearInterval(timer);
        resolveClosed(Date.now() - began);
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        sent: () => sent,
        closed,
      }),
    ),
  );
}

let gw: TestGateway;
let upstream: Awaited<ReturnType<typeof slowUpstream>>;
let providerId: string;

beforeAll(async () => {
  upstream = await slowUpstream();
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32' });
  providerId = await seedProvider(
    gw,
    {
      name: 'slow-openai',
      provider_type: 'openai',
      service_types: ['llm'],
      base_url: `${upstream.origin}/v1`,
    },
    {
      apiKey: 'test-key-slow-upstream',
      models: [
        {
          model_id: 'gpt-4o-mini',
          model_type: 'llm',
          capabilities: ['streaming'],
          pricing: { input_per_1m: 1, output_per_1m: 1000, effective_from: '2026-01-01T00:00:00.000Z' },
        },
      ],
    },
  );
});
afterAll(async () => {
  await gw?.stop();
  upstream?.server.close();
});

describe('usage: a stream the client abandons', () => {
  it('cancels the upstream call and counts the request as cancelled, with the tokens streamed, at the price; a strict quota sees the spend', async () => {
    // Prepare: a strict daily cost quota on the provider, so the spend shows in its status.
    const quota = await gw.call('POST', '/api/quotas', {
      body: {
        provider_id: providerId,
        scope: 'provider',
        quota_type: 'daily_cost',
        limit_value: 100,
        enforcement: 'strict',
      },
    });
    expect(quota.status, quota.text).toBe(201);

    // Act: stream, read for 0.6 s, hang up.
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        max_tokens: 1000,
        messages: [{ role: 'user', content: 'count slowly' }],
      }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let received = '';
    const began = Date.now();
    const decoder = new TextDecoder();
    while (Date.now() - began < 600) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value);
    }
    abort.abort();
    await reader.cancel().catch(() => undefined);
    const upstreamOpenMs = await upstream.closed;
    await gw.runtime.idle();
    await gw.runtime.streams!.idle();

    // Assess: the upstream connection was cut soon after the hang-up, far before its 200 tokens.
    const wordsReceived = received.split('"content":" word"').length - 1;
    expect(wordsReceived).toBeGreaterThan(5);
    expect(upstreamOpenMs).toBeLessThan(3_000);
    expect(upstream.sent()).toBeLessThan(TOKENS);

    // The request counts, as cancelled, with the output produced so far (one token per ` word`),
    // at the model's price (1,000 USD per million output tokens: 0.001 USD per token).
    const day = new Date().toISOString().slice(0, 10);
    const usage = await gw.call(
      'GET',
      `/api/providers/${providerId}/usage?start_date=${day}&end_date=${day}`,
    );
    expect(usage.status, usage.text).toBe(200);
    const totals = usage.json.totals;
    expect(totals.requests).toBe(1);
    expect(totals.cancelled).toBe(1);
    expect(totals.errors).toBe(0);
    expect(totals.output_tokens).toBeGreaterThanOrEqual(wordsReceived);
    expect(totals.output_tokens).toBeLessThanOrEqual(upstream.sent());
    expect(totals.input_tokens).toBeGreaterThan(0);
    expect(totals.cost_usd).toBeGreaterThanOrEqual(wordsReceived * 0.001);

    // The strict quota's window holds exactly that spend (the hold settled at the real cost).
    const status = await gw.call('GET', `/api/quotas/${quota.json.id}/status`);
    expect(status.status, status.text).toBe(200);
    expect(status.json.spent_usd).toBeCloseTo(totals.cost_usd, 9);
    expect(status.json.reserved ?? 0).toBe(0);
  });
});
