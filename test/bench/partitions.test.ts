import { afterEach, describe, expect, it } from 'vitest';
import { PartitionCounter } from '../../bench/partition-counter.js';
// @ts-expect-error: a plain ES module of the bench, without types
import { compare, patternOf } from '../../bench/partitions.mjs';
import { measurePartitions } from '../../bench/partitions-run.js';
// @ts-expect-error: a plain ES module of the bench, without types
import * as model from '../../bench/scale-model.mjs';
import { startTestGateway, type TestGateway } from '../support/runtime.js';

describe('bench/partitions: the partition heat simulation', () => {
  let gw: TestGateway | undefined;
  let counter: PartitionCounter | undefined;
  afterEach(async () => {
    await gw?.stop();
    counter?.uninstall();
    gw = undefined;
    counter = undefined;
  });

  it('counts a known write on its table and index partitions, and a read on its partition', async () => {
    counter = new PartitionCounter();
    await counter.install();
    gw = await startTestGateway();
    const stop = gw.runtime.streams!.onRecord(counter.onRecord);
    counter.reset();
    const table = gw.runtime.deps.table;
    // 2,000 bytes of payload: 2 write units (1 per started KB), on pk and on gsi1pk.
    await table.put({
      pk: 'PROBE#one',
      sk: 'PROBE',
      gsi1pk: 'PROBES',
      gsi1sk: 'one',
      blob: 'x'.repeat(2000),
    });
    await table.get({ pk: 'PROBE#one', sk: 'PROBE' });
    stop();
    const parts = counter.snapshot().partitions;
    const at = (index: string, key: string) => parts.find((p) => p.index === index && p.key === key);
    expect(at('table', 'PROBE#one')).toMatchObject({ wcu: 2, rcu: 1 });
    expect(at('gsi1', 'PROBES')).toMatchObject({ wcu: 2, rcu: 0 });
    expect(at('gsi2', 'PROBES')).toBeUndefined();
  });

  it('measures a tiny run and reports the JSON the CLI prints', async () => {
    const run = await measurePartitions({ rps: 100, seconds: 2, keys: 1 });
    expect(run.failures).toBe(0);
    expect(run.aiRequests).toBeGreaterThan(0);
    // Every AI request writes its usage counter on the provider's usage partition.
    expect(run.partitions.some((p) => patternOf(p.key) === 'USAGE#<provider>' && p.wcu > 0)).toBe(true);
    const result = compare(run, 10_000, model);
    expect(result.hottest).toEqual({
      key: expect.stringMatching(/^(table|gsi\d) /),
      wcu_per_s: expect.any(Number),
      share_of_limit: expect.any(Number),
    });
    expect(result.error).toBeGreaterThanOrEqual(0);
    expect(result.error).toBeLessThanOrEqual(1);
  }, 60_000);
});
