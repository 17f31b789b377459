/**
 * Request-log index shards grow (4 before the 10,000 req/s work, 64 now): records a gateway wrote
 * under the old shard function (`sha1(request id) mod 4`) stay listed by every filter after an
 * upgrade, because a list reads shards 0..63 of each day, a superset of 0..3.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_LOG_SHARDS } from '../../lib/services/logs/record.js';
import { keys } from '../../lib/store/keys.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';
import { recordOf } from './request-logs-fixtures.js';

const OLD_SHARDS = 4;
const oldShardOf = (requestId: string) =>
  createHash('sha1').update(requestId).digest().readUInt32BE(0) % OLD_SHARDS;
const shardOfPartition = (pk: unknown) => Number(String(pk).split('#').at(-1));

let gw: TestGateway;
let key: MintedKey;
const moved: string[] = [];
const kept: string[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ MOCK_PROVIDER: 'on', REQUEST_LOG_RETENTION_DAYS: '1' });
  key = await mintKey(gw, { role: 'invoke' });
  for (let i = 0; i < 6; i++) {
    const res = await gw.call('POST', '/v1/chat/completions', {
      key: key.key,
      body: { model: 'mock-chat', messages: [{ role: 'user', content: `hi ${i}` }] },
    });
    expect(res.status, res.text).toBe(200);
    const id = res.headers.get('x-request-id')!;
    expect((await recordOf(gw, id)).status).toBe(200);
    (i % 2 ? kept : moved).push(id);
  }
  await gw.runtime.idle();
  // Rewrite half the records as the old writer stored them: every index key on shard hash mod 4.
  const table = gw.runtime.deps.table;
  let changed = 0;
  for (const id of moved) {
    const record = (await table.get(keys.requestLog(id)))!;
    const shard = oldShardOf(id);
    if (shardOfPartition(record.gsi2pk) !== shard) changed++;
    const rewritten = { ...record };
    for (const gsi of ['gsi1pk', 'gsi2pk', 'gsi3pk', 'gsi4pk'] as const) {
      const pk = String(record[gsi]).split('#');
      rewritten[gsi] = [...pk.slice(0, -1), String(shard).padStart(2, '0')].join('#');
    }
    await table.put(rewritten);
    expect(shardOfPartition((await table.get(keys.requestLog(id)))!.gsi2pk)).toBe(shard);
  }
  expect(changed, 'a record moved to another shard than the current writer picks').toBeGreaterThan(0);
}, 60_000);
afterAll(async () => {
  await gw?.stop();
});

describe('request logs: shards written by an earlier version', () => {
  it('spreads new records over the 64 shards the reads cover', () => {
    expect(REQUEST_LOG_SHARDS).toBe(64);
  });

  it.each([
    ['no filter', () => ''],
    ['api_key_id', () => `&api_key_id=${key.id}`],
    ['model', () => '&model=mock-chat'],
    ['status=success', () => '&status=success'],
  ])('lists records of old and new shards alike by %s, one at a time', async (_name, filter) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 40; page++) {
      const res = await gw.call('GET', `/api/logs?limit=1${filter()}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, res.text).toBe(200);
      seen.push(...res.json.data.map((r: { request_id: string }) => r.request_id));
      cursor = res.json.next_cursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    expect(seen.sort()).toEqual([...moved, ...kept].sort());
  });

  it('pages over quiet days, each index shard read once a day, down to an older record', async () => {
    // A copy of a record, ten days back: 9 quiet days in between cost 128 queries each (64 shards
    // of successes and of errors), more than one call may send, so the list pages over them.
    const table = gw.runtime.deps.table;
    const source = (await table.get(keys.requestLog(kept[0]!)))!;
    const id = `${kept[0]}old`;
    const at = new Date(Date.parse(String(source.at)) - 10 * 86_400_000).toISOString();
    const day = at.slice(0, 10);
    const sort = keys.requestLogSort(at, id);
    const part = keys.requestLogPartition;
    await table.put({
      ...source,
      ...keys.requestLog(id),
      request_id: id,
      at,
      gsi1pk: part('T', '', day, 63),
      gsi1sk: sort,
      gsi2pk: part('K', key.id, day, 63),
      gsi2sk: sort,
      gsi3pk: part('P', String(source.provider_id), day, 63),
      gsi3sk: sort,
      gsi4pk: part('M', 'mock-chat', day, 63),
      gsi4sk: sort,
    });
    const from = new Date(Date.parse(at) - 2 * 86_400_000).toISOString();
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 40; page++) {
      const res = await gw.call('GET', `/api/logs?limit=5&from=${from}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, res.text).toBe(200);
      pages.push(res.json.data.map((r: { request_id: string }) => r.request_id));
      cursor = res.json.next_cursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    const seen = pages.flat();
    expect(seen.slice(0, 6).sort()).toEqual([...moved, ...kept].sort());
    expect(seen.slice(6)).toEqual([id]);
    expect(pages.some((p) => p.length === 0)).toBe(true); // quiet days answered as empty pages with a cursor
    await table.delete(keys.requestLog(id));
  });
});
