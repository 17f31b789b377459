import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('pagination: opaque cursors', () => {
  it('250 providers paged with limit=7: each seen exactly once, in creation order', async () => {
    const ids: string[] = [];
    for (let batch = 0; batch < 25; batch++) {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          gw.call('POST', '/api/providers', { body: providerBody(`page-${batch * 10 + i}`) }),
        ),
      );
      for (const c of created) {
        expect(c.status).toBe(201);
        ids.push(c.json.id);
      }
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await gw.call('GET', `/api/providers?limit=7${query}`);
      expect(res.status).toBe(200);
      expect(res.json.data.length).toBeLessThanOrEqual(7);
      expect(res.json.has_more).toBe(res.json.next_cursor !== null);
      seen.push(...res.json.data.map((p: { id: string }) => p.id));
      cursor = res.json.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(36);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('a filter that matches sparsely still pages without skipping or repeating', async () => {
    for (let i = 0; i < 9; i++) {
      await gw.call('POST', '/api/providers', {
        body: providerBody(`sparse-${i}`, { provider_type: 'cohere', service_types: ['rerank'] }),
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await gw.call('GET', `/api/providers?provider_type=cohere&limit=2${query}`);
      seen.push(...res.json.data.map((p: { name: string }) => p.name));
      cursor = res.json.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `sparse-${i}`).sort());
  });

  it('refuses limits outside 1..100 and forged cursors with a 400 envelope', async () => {
    for (const bad of ['limit=0', 'limit=101', 'limit=abc', 'limit=-1', 'limit=1.5', 'limit=1&limit=2']) {
      const res = await gw.call('GET', `/api/providers?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.json.error.code).toBe('invalid_query');
    }
    const foreign = Buffer.from(
      JSON.stringify({ pk: 'AUDIT_HEAD', sk: 'AUDIT_HEAD', gsi1pk: 'APIKEYS' }),
    ).toString('base64url');
    for (const cursor of [
      '!!!',
      'e30',
      foreign,
      'x'.repeat(3000),
      Buffer.from('[1]').toString('base64url'),
    ]) {
      const res = await gw.call('GET', `/api/providers?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
      expect(['invalid_cursor', 'invalid_query']).toContain(res.json.error.code);
    }
  });
});
