/**
 * Strict holds of streams a client abandons, over the real local runtime: the caller reads the first
 * chunk and hangs up while the provider is still producing; the hold is settled at once (at what it
 * held: the usage of a cut stream is unknown and the provider may bill up to it), not left reserved
 * until its 16-minute lease runs out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatStreamEvents } from '../fakes/openai.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import { budgetOf, GreedyUpstream, seedGreedyProvider, strictKeyQuota } from './limits-fixtures.js';

// Real time: a stream's idle budget is measured on the wall clock.
let gw: TestGateway;
const today = () => new Date(gw.runtime.deps.now()).toISOString().slice(0, 10);
const greedy = new GreedyUpstream();

beforeAll(async () => {
  const origin = await greedy.fake.start();
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', HEALTH_SCHEDULE: 'off' });
  await seedGreedyProvider(gw, origin, { timeout_seconds: 30 });
});
afterAll(async () => {
  await gw.stop();
  await greedy.fake.stop();
});

describe('strict holds of abandoned streams', () => {
  it('settles the hold as soon as the client hangs up mid-stream', async () => {
    const key = await mintKey(gw, { role: 'invoke' });
    const quotaId = await strictKeyQuota(gw, key.id, { quota_type: 'daily_tokens', limit_value: 5000 });
    const body = {
      model: 'greedy-chat',
      max_tokens: 1000,
      stream: true,
      messages: [{ role: 'user', content: 'a b c d e f' }],
    };
    // The provider sends its first chunks, then keeps the stream open without a word.
    greedy.fake.script('POST /v1/chat/completions', {
      kind: 'sse',
      events: chatStreamEvents(body),
      stallAfter: 3,
    });

    const client = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: client.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: ');
    const held = await budgetOf(gw.runtime.deps, quotaId, today());
    expect(held.reserved).toBeGreaterThan(1000);
    client.abort();

    // Settled within seconds (the lease would keep it 16 minutes), at what the abandoned stream
    // counted (the prompt and the words streamed: see usage-abandoned-stream), not at the hold.
    await expect
      .poll(async () => (await budgetOf(gw.runtime.deps, quotaId, today())).reserved, { timeout: 5_000 })
      .toBe(0);
    const settled = await budgetOf(gw.runtime.deps, quotaId, today());
    expect(settled.committed).toBe(settled.used);
    expect(settled.used).toBeGreaterThan(0);
    expect(settled.used).toBeLessThan(held.reserved);
  });
});
