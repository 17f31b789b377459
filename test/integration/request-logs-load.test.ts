/**
 * The request log under load: 1,000 AI requests over 10 connections give 1,000 records, none lost
 * or doubled, also when the local runtime is stopped cleanly half-way and started again on the same
 * data; the writer batches records of concurrent requests (at most one write call per request).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/start.js';
import { startOnDataDir, TEST_ADMIN_KEY } from '../support/runtime.js';

const ADMIN = TEST_ADMIN_KEY;
const CONNECTIONS = 10;
const dataDir = mkdtempSync(join(tmpdir(), 'gw-logs-'));
const agent = new Agent({ connections: CONNECTIONS });

afterAll(async () => {
  await agent.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = () => startOnDataDir(dataDir);

/** `count` chat calls over {@link CONNECTIONS} connections; the x-request-id of each answer. */
async function load(runtime: LocalRuntime, count: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const res = await undiciFetch(`${runtime.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-chat', messages: [{ role: 'user', content: 'hello' }] }),
        dispatcher: agent,
      });
      await res.text();
      expect(res.status).toBe(200);
      ids.push(res.headers.get('x-request-id')!);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return ids;
}

/** Every record the list returns, page by page (100 a page). */
async function listAll(runtime: LocalRuntime): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
    const res = await fetch(`${runtime.url}/api/logs${query}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const page = (await res.json()) as { data: Array<{ request_id: string }>; next_cursor: string | null };
    expect(res.status).toBe(200);
    ids.push(...page.data.map((r) => r.request_id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

describe('request logs: under load and across a restart', () => {
  it('keeps exactly one record per answered request, in at most one write call per request', async () => {
    // Prepare
    const first = await start();
    const calls: Record<string, number> = {};
    const stopObserving = first.deps.table.observe((op) => {
      calls[op] = (calls[op] ?? 0) + 1;
    });
    // Act: half the load, a clean stop right after it (records still queued are flushed), then the rest
    const before = await load(first, 500);
    await first.close();
    stopObserving();
    const second = await start();
    const after = await load(second, 500);
    await second.idle();
    const listed = await listAll(second);
    await second.close();
    // Assess
    const answered = [...before, ...after];
    expect(new Set(answered).size).toBe(1_000);
    expect(listed).toHaveLength(1_000);
    expect(new Set(listed)).toEqual(new Set(answered));
    expect(calls.BatchWriteItem ?? 0).toBeGreaterThan(0);
    expect(calls.BatchWriteItem ?? 0).toBeLessThanOrEqual(500);
    console.info(`request log: DynamoDB calls for 500 requests over ${CONNECTIONS} connections`, calls);
  }, 240_000);
});
