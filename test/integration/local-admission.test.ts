import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY } from '../fakes/harness.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { GARBAGE_KEY } from './access-fixtures.js';

/** What the upload tests declare: 9 MB, under API Gateway's 10 MB, so size alone refuses nothing. */
const DECLARED_BYTES = 9 * 1024 * 1024;
/** The upload's pace: 32 KiB every 20 ms (about 1.6 MB/s; the whole body would take ~6 s). */
const PIECE_BYTES = 32 * 1024;
const PIECE_EVERY_MS = 20;

/** How long the client keeps uploading after the answer, waiting for the server to hang up. */
const AFTER_ANSWER_MS = 1_000;

/**
 * Sends a request head declaring a 9 MB body over a raw socket, then trickles the body. Reports
 * the answer's status line and text, how many body bytes had been sent when the answer came, and
 * whether the server then closed the connection (waiting at most a second, uploading on).
 */
function trickleUpload(
  url: string,
  head: Record<string, string>,
): Promise<{ statusLine: string; text: string; sentAtAnswer: number; serverClosed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let sent = 0;
    let sentAtAnswer = -1;
    let text = '';
    let serverClosed = true;
    let pumping: NodeJS.Timeout | undefined;
    let waiting: NodeJS.Timeout | undefined;
    const pump = () => {
      if (socket.destroyed || sent >= DECLARED_BYTES) return;
      const piece = Buffer.alloc(Math.min(PIECE_BYTES, DECLARED_BYTES - sent), 0x61);
      sent += piece.length;
      socket.write(piece, () => undefined);
      pumping = setTimeout(pump, PIECE_EVERY_MS);
    };
    socket.on('connect', () => {
      const lines = Object.entries({ host: hostname, 'content-length': String(DECLARED_BYTES), ...head });
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`,
      );
      if (!head.expect) pump();
    });
    socket.on('data', (chunk: Buffer) => {
      if (sentAtAnswer < 0) {
        sentAtAnswer = sent;
        waiting = setTimeout(() => {
          serverClosed = false;
          socket.destroy();
        }, AFTER_ANSWER_MS);
      }
      text += chunk.toString('latin1');
    });
    socket.on('error', () => undefined); // a reset while uploading: the answer is already recorded
    socket.on('close', () => {
      clearTimeout(pumping);
      clearTimeout(waiting);
      if (sentAtAnswer < 0) reject(new Error(`closed with no answer after ${sent} bytes`));
      else resolve({ statusLine: text.split('\r\n')[0] ?? '', text, sentAtAnswer, serverClosed });
    });
  });
}

/** The JSON body of a raw HTTP/1.1 answer (content-length framed). */
function jsonOf(raw: string): { error?: { code?: string } } {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error?: { code?: string } };
}

describe('local runtime: a request without a valid key is refused before its body is read', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' });
  });
  afterAll(async () => {
    await gw.stop();
  });

  for (const [label, auth] of [
    ['no key', {}],
    ['a key never issued', { authorization: `Bearer ${GARBAGE_KEY}` }],
  ] as const) {
    it(`answers 401 to a slow 9 MB upload with ${label} at once, and closes instead of reading on`, async () => {
      // Act
      const res = await trickleUpload(gw.url, { 'content-type': 'application/json', ...auth });
      // Assess: the generic 401 while less than 1 MB of the 9 MB had been sent, then the server hung
      // up rather than reading the rest
      expect(res.statusLine).toBe('HTTP/1.1 401 Unauthorized');
      expect(res.sentAtAnswer).toBeLessThan(1024 * 1024);
      expect(jsonOf(res.text).error?.code).toBe('unauthorized');
      expect(res.text.toLowerCase()).toContain('connection: close');
      expect(res.serverClosed).toBe(true);
      // `REPORT_FIGURES=1 npx vitest run test/integration/local-admission.test.ts` prints the figure for docs/reliability.md.
      if (process.env.REPORT_FIGURES)
        console.info(`401 (${label}) after ${res.sentAtAnswer} of ${DECLARED_BYTES} declared body bytes`);
    });
  }

  it('answers 401 to `Expect: 100-continue` without a valid key, never inviting the body', async () => {
    const res = await trickleUpload(gw.url, { 'content-type': 'application/json', expect: '100-continue' });
    expect(res.statusLine).toBe('HTTP/1.1 401 Unauthorized');
    expect(res.sentAtAnswer).toBe(0);
  });

  it('still invites the body of a `100-continue` request with a valid key', async () => {
    const body = JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] });
    const res = await new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${gw.adminKey}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          expect: '100-continue',
        },
      });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('response', (answer: IncomingMessage) => {
        answer.resume();
        answer.on('end', () => resolve({ continued, status: answer.statusCode ?? 0 }));
      });
      req.on('error', reject);
    });
    // The body was read and validated: the unknown model is the handler's answer, not the server's
    expect(res.continued).toBe(true);
    expect(res.status).toBe(404);
  });

  it('keeps a keep-alive connection usable after a refused request that had no body', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (key: string | undefined) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = httpRequest(`${gw.url}/api/keys`, {
          agent,
          headers: key ? { authorization: `Bearer ${key}` } : {},
        });
        req.on('response', (answer: IncomingMessage) => {
          answer.resume();
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const refused = await get(undefined);
      const allowed = await get(gw.adminKey);
      expect(refused.status).toBe(401);
      expect(allowed).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });
});

/**
 * A fake OpenAI chat endpoint that, while `holding`, answers only when the test releases it. A
 * streaming request gets its headers and first chunk at once, the rest on release.
 */
class HeldUpstream {
  arrived = 0;
  holding = true;
  private releases: Array<() => void> = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; stream?: boolean };
      this.arrived++;
      const released = this.holding
        ? new Promise<void>((release) => this.releases.push(release))
        : Promise.resolve();
      const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(chunk({ role: 'assistant', content: 'Hel' }, null));
        void released.then(() => {
          res.write(chunk({ content: 'lo' }, 'stop'));
          res.write(
            `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage })}\n\n`,
          );
          res.end('data: [DONE]\n\n');
        });
        return;
      }
      void released.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'c1',
            object: 'chat.completion',
            created: 1,
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
            usage,
          }),
        );
      });
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((ready) => this.server.listen(0, '127.0.0.1', ready));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Waits until `n` requests have arrived (they are then in flight at the gateway). */
  async waitForArrivals(n: number): Promise<void> {
    while (this.arrived < n) await new Promise((tick) => setTimeout(tick, 10));
  }

  release(): void {
    for (const release of this.releases.splice(0)) release();
  }

  async stop(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

describe('local runtime: requests in flight are bounded (LOCAL_MAX_IN_FLIGHT)', () => {
  let gw: TestGateway;
  let upstream: HeldUpstream;
  beforeAll(async () => {
    upstream = new HeldUpstream();
    const origin = await upstream.start();
    gw = await startTestGateway({
      LOCAL_MAX_IN_FLIGHT: '2',
      ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
      PROVIDER_MAX_RETRIES: '0',
      HEALTH_SCHEDULE: 'off',
    });
    const provider = await gw.call('POST', '/api/providers', {
      body: { name: 'held', provider_type: 'openai', base_url: `${origin}/v1`, service_types: ['llm'] },
    });
    await gw.call('POST', `/api/providers/${provider.json.id}/credentials`, {
      body: { credential_type: 'api_key', credential_value: TEST_KEY },
    });
    const model = await gw.call('POST', `/api/providers/${provider.json.id}/models`, {
      body: { model_id: 'held-model', model_type: 'llm', capabilities: ['streaming'] },
    });
    expect(model.status, model.text).toBe(201);
  });
  afterAll(async () => {
    await gw.stop();
    await upstream.stop();
  });

  const chat = (stream = false) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'held-model', stream, messages: [{ role: 'user', content: 'hi' }] }),
      signal: AbortSignal.timeout(5_000),
    });

  it('answers 503 `overloaded` with retry-after beyond two held chats, unread, and serves again once they end', async () => {
    // Prepare: two chats held by the upstream
    upstream.arrived = 0;
    upstream.holding = true;
    const held = [chat(), chat()];
    await upstream.waitForArrivals(2);
    // Act: a third request, and a slow 9 MB upload with a valid key
    const third = await chat();
    const upload = await trickleUpload(gw.url, {
      authorization: `Bearer ${gw.adminKey}`,
      'content-type': 'application/json',
    });
    // Assess
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(((await third.json()) as { error: { code: string } }).error).toMatchObject({
      code: 'overloaded',
      request_id: expect.any(String),
    });
    expect(upload.statusLine).toBe('HTTP/1.1 503 Service Unavailable');
    expect(upload.sentAtAnswer).toBeLessThan(1024 * 1024);
    expect(upload.serverClosed).toBe(true);
    upstream.holding = false;
    upstream.release();
    for (const res of await Promise.all(held)) {
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Hello');
    }
    await gw.runtime.idle();
    const after = await chat();
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('Hello');
  });

  it('counts a streaming answer until its stream ends', async () => {
    // Prepare: two streams that have sent their first chunk and wait for the rest
    await gw.runtime.idle();
    upstream.arrived = 0;
    upstream.holding = true;
    const streams = await Promise.all([chat(true), chat(true)]);
    for (const res of streams) expect(res.status).toBe(200);
    // Act
    const third = await chat();
    // Assess: refused while both streams are open; served once they have ended
    expect(third.status).toBe(503);
    upstream.holding = false;
    upstream.release();
    for (const res of streams) expect(await res.text()).toContain('[DONE]');
    await gw.runtime.idle();
    const after = await chat(true);
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('[DONE]');
  });
});
