import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReconcile } from '../../functions/durable/reconcile.js';
import { replayJournal } from '../../lib/services/durable/replay.js';
import { batchId, type CounterBatch, writeCounterBatch } from '../../lib/services/usage/counter-batch.js';
import { zeroCounters } from '../../lib/services/usage/counters.js';
import { hourOf } from '../../lib/services/usage/time.js';
import { keys } from '../../lib/store/keys.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { hourlySum } from './usage-fixtures.js';

/**
 * The roll-ups are rebuilt from the counters (the source of truth) by `reconcileUsage`: what the
 * local runtime runs after an unclean stop, the reconcile function runs on its schedule, and
 * `npm run usage:reconcile` runs by hand. And the journal's replay applies each record once.
 */

let gw: TestGateway;
let providerId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  const created = await gw.call('POST', '/api/providers', { body: providerBody('reconciled') });
  expect(created.status, created.text).toBe(201);
  providerId = created.json.id;
});
afterAll(() => gw.stop());

function batch(seq: number, requests: number, writer = 'feedbeef0001'): CounterBatch {
  const add = { ...zeroCounters(), requests, input_tokens: 10 * requests };
  return {
    providerId,
    modelId: 'model-r',
    apiKeyId: 'key_reconcile',
    serviceType: 'llm',
    hour: hourOf(Date.now()),
    writer,
    seq,
    shard: 0,
    add,
    ttl: Math.floor(Date.now() / 1000) + 86_400,
    events: [],
  };
}

async function dailyRequests(): Promise<number> {
  const day = new Date().toISOString().slice(0, 10);
  const res = await gw.call(
    'GET',
    `/api/providers/${providerId}/usage?granularity=hour&start_date=${day}&end_date=${day}`,
  );
  expect(res.status, res.text).toBe(200);
  return res.json.totals.requests;
}

describe('usage reconcile: roll-ups recomputed from the counters', () => {
  it('restores a roll-up entry the stream never delivered, reports it, and a second run fixes nothing', async () => {
    // Prepare: a counter with 3 calls, rolled up; then its day entry is lost (as with a killed runtime).
    await writeCounterBatch(gw.runtime.deps, batch(1, 3));
    await gw.runtime.streams!.idle();
    expect(await dailyRequests()).toBe(3);
    const b = batch(1, 3);
    const daily = keys.usageRollup({
      providerId,
      period: 'D',
      bucket: b.hour.slice(0, 10),
      dimensions: keys.usageDimensions(b),
      // The batch has no `sharded` mark: a counter as versions before usage shards wrote it.
      shard: undefined,
    });
    await gw.runtime.deps.table.update({ key: daily, remove: [`h${b.hour.slice(11, 13)}_00`] });
    expect(await dailyRequests()).toBe(0);

    // Act
    const first = await runReconcile(gw.runtime.deps, {});
    const second = await runReconcile(gw.runtime.deps, {});

    // Assess: one entry fixed (0 → 3), the report is whole again, and the second run is a no-op.
    expect(first.fixed).toEqual([
      expect.objectContaining({
        provider_id: providerId,
        hour: b.hour,
        shard: 0,
        requests_before: 0,
        requests_after: 3,
      }),
    ]);
    expect(await dailyRequests()).toBe(3);
    expect(second.fixed).toEqual([]);
    expect(second.counters).toBe(first.counters);
  });

  it('runs as npm run usage:reconcile against the running gateway and prints what it fixed', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('npx', ['tsx', 'scripts/usage-reconcile.ts'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, DATA_DIR: gw.runtime.dataDir, LOG_LEVEL: 'ERROR' },
    });
    expect(stdout).toContain('"fixed": []');
    expect(stdout).toContain('0 roll-up entries fixed');
  });
});

describe('journal replay: what a killed runtime left is applied once', () => {
  it('skips a batch that had landed, applies one that had not, and counts loose events', async () => {
    // Prepare: batch 1 landed before the kill; batch 2 was journaled but never written; one event
    // was journaled before any batch carried it.
    const landed = batch(1, 2, 'feedbeef0002');
    await writeCounterBatch(gw.runtime.deps, landed);
    const unwritten = { ...batch(2, 5, 'feedbeef0002'), events: ['u.in-batch'] };
    const loose = batch(0, 1);
    const records = [
      { kind: 'usage.batch' as const, id: batchId(unwritten), body: { ...unwritten } },
      { kind: 'usage.batch' as const, id: batchId(landed), body: { ...landed } },
      {
        kind: 'usage.event' as const,
        id: 'u.in-batch',
        body: { group: unwritten, add: unwritten.add, ttl: unwritten.ttl },
      },
      { kind: 'usage.event' as const, id: 'u.loose', body: { group: loose, add: loose.add, ttl: loose.ttl } },
    ];
    const before = await hourlySum(gw.runtime.deps, providerId, 'requests');

    // Act: replayed twice (a kill during the first replay)
    const first = await replayJournal(gw.runtime.deps, records);
    const again = await replayJournal(
      gw.runtime.deps,
      records.filter((r) => r.kind === 'usage.batch'),
    );

    // Assess: +5 (the unwritten batch) +1 (the loose event), the landed batch not again.
    expect(first).toMatchObject({ batches: 1, duplicates: 1, events: 1, failed: 0 });
    expect(again).toMatchObject({ batches: 0, duplicates: 2, failed: 0 });
    expect((await hourlySum(gw.runtime.deps, providerId, 'requests')) - before).toBe(6);
  });
});
