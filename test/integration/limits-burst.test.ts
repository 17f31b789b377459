/**
 * Property, over the real local runtime: a concurrent burst of mixed request shapes (chats with
 * `n` choices, streamed or not; token-id embeddings; speech priced per character; transcriptions
 * priced per second) against a strict cost quota never spends past the limit, even when the
 * provider bills every call the most it allows; every hold is settled, and what the window
 * committed is exactly what was used.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import {
  budgetOf,
  GreedyUpstream,
  seedGreedyProvider,
  strictKeyQuota,
  transcriptionForm,
} from './limits-fixtures.js';

// Real time: streamed chats measure their idle budget on the wall clock.
let gw: TestGateway;
const today = () => new Date(gw.runtime.deps.now()).toISOString().slice(0, 10);
const greedy = new GreedyUpstream();

type Shape =
  | { kind: 'chat'; n: number; max: number; stream: boolean }
  | { kind: 'embed'; ids: number }
  | { kind: 'speech'; chars: number }
  | { kind: 'stt'; bytes: number };

const shape: fc.Arbitrary<Shape> = fc.oneof(
  fc.record({
    kind: fc.constant('chat' as const),
    n: fc.integer({ min: 1, max: 6 }),
    max: fc.integer({ min: 1, max: 300 }),
    stream: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('embed' as const), ids: fc.integer({ min: 1, max: 800 }) }),
  fc.record({ kind: fc.constant('speech' as const), chars: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ kind: fc.constant('stt' as const), bytes: fc.integer({ min: 750, max: 30_000 }) }),
);

async function send(key: string, s: Shape): Promise<number> {
  const post = (path: string, body: unknown) => gw.call('POST', path, { key, body });
  switch (s.kind) {
    case 'chat': {
      const res = await post('/v1/chat/completions', {
        model: 'greedy-chat',
        n: s.n,
        max_tokens: s.max,
        stream: s.stream,
        messages: [{ role: 'user', content: 'spend it all' }],
      });
      return res.status;
    }
    case 'embed':
      return (
        await post('/v1/embeddings', {
          model: 'greedy-embed',
          input: Array.from({ length: s.ids }, (_, i) => i),
        })
      ).status;
    case 'speech':
      return (
        await post('/v1/audio/speech', { model: 'greedy-tts', voice: 'alloy', input: 'x'.repeat(s.chars) })
      ).status;
    case 'stt': {
      const res = await fetch(`${gw.url}/v1/audio/transcriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: transcriptionForm('greedy-stt', s.bytes),
      });
      await res.arrayBuffer();
      return res.status;
    }
  }
}

beforeAll(async () => {
  const origin = await greedy.fake.start();
  gw = await startTestGateway({ ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32', HEALTH_SCHEDULE: 'off' });
  await seedGreedyProvider(gw, origin);
});
afterAll(async () => {
  await gw.stop();
  await greedy.fake.stop();
});

describe('strict quotas under a concurrent burst of mixed shapes', () => {
  it('never overshoot, and settle every hold to what was used', async () => {
    const seen = { served: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(shape, { minLength: 6, maxLength: 16 }),
        fc.integer({ min: 1, max: 50 }).map((mils) => mils / 1000),
        async (burst, limit) => {
          const key = await mintKey(gw, { role: 'invoke' });
          const quotaId = await strictKeyQuota(gw, key.id, { quota_type: 'daily_cost', limit_value: limit });
          const statuses = await Promise.all(burst.map((s) => send(key.key, s)));
          for (const status of statuses) expect([200, 429]).toContain(status);
          seen.served += statuses.filter((s) => s === 200).length;
          seen.refused += statuses.filter((s) => s === 429).length;
          const limitNanos = Math.round(limit * 1e9);
          await expect.poll(async () => (await budgetOf(gw.runtime.deps, quotaId, today())).reserved).toBe(0);
          const budget = await budgetOf(gw.runtime.deps, quotaId, today());
          expect(budget.committed).toBe(budget.used);
          expect(budget.used).toBeLessThanOrEqual(limitNanos);
        },
      ),
      { numRuns: 5 },
    );
    // The bursts were decided both ways: the limits bound, and they let calls through.
    expect(seen.served).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
