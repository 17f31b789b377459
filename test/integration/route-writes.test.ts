/**
 * The IAM write grants hold true: every route of the route table is called through the local
 * runtime (admin key, valid input, seeded objects) with a store client that records the partition
 * keys each write touches and who sent it; each handler's writes must fall within its route's
 * declared `writes`, each stream consumer's within its declared kinds, the schedule's within its
 * own. A write outside them would be refused by IAM in AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleScheduledEvent } from '../../functions/health/scheduled-check.js';
import { consumerWrites, SCHEDULED_HEALTH_CHECK_WRITES, writesOf } from '../../infra/route-needs.js';
import { ROUTES, type Route, routeKey } from '../../lib/routes.js';
import { type ItemKind, itemKindOf } from '../../lib/store/keys.js';
import { STREAM_CONSUMERS } from '../../lib/streams/consumers.js';
import { bodyFor, type SampleWorld, seedWorld } from '../support/route-samples.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mockStore, type StoreMock } from '../support/store.js';
import { type RecordedWrite, watchWrites } from '../support/store-writes.js';

let gw: TestGateway;
let store: StoreMock;
let world: SampleWorld;

beforeAll(async () => {
  store = mockStore();
  // The cache and payload logging on, so the AI routes write everything they can write.
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off', CACHE_MODE: 'read_write', LOG_PAYLOADS: 'on' });
  world = await seedWorld(gw, 'writes');
});
afterAll(async () => {
  await gw.stop();
  store.restore();
});

/** Kinds of the partitions written, `?<pk>` for a key of no declared kind. */
const kindsOf = (writes: RecordedWrite[]) =>
  new Set(writes.flatMap((w) => w.partitions.map((pk) => itemKindOf(pk) ?? `?${pk}`)));

const outside = (seen: Set<string>, allowed: readonly ItemKind[]) =>
  [...seen].filter((kind) => !(allowed as readonly string[]).includes(kind)).sort();

describe('write grants: what each function writes is what it is granted', () => {
  it('keeps every route handler, stream consumer and the schedule within its declared item kinds', async () => {
    // Prepare: AI calls first (the quota and model changes below would stop them), deletes last
    const order = (r: Route) =>
      r.method === 'DELETE'
        ? 3 + Number(r.path === '/api/providers/{id}')
        : r.access === 'invoke'
          ? 0
          : r.method === 'PATCH'
            ? 2
            : 1;
    const routes = [...ROUTES].sort((a, b) => order(a) - order(b));
    const watch = watchWrites(store);
    const byConsumer = new Map<string, RecordedWrite[]>();
    const handlerFaults: string[] = [];
    const statuses: string[] = [];
    // Act
    for (const route of routes) {
      watch.clear();
      const res = await gw.call(route.method, world.pathOf(route), bodyFor(route, world.side));
      await gw.runtime.idle();
      await gw.runtime.streams!.idle();
      statuses.push(`${routeKey(route)} -> ${res.status}`);
      const own = watch.writes.filter((w) => w.writer === 'handler');
      const extra = outside(kindsOf(own), [...writesOf(route), 'accessDenial']);
      if (extra.length > 0) handlerFaults.push(`${routeKey(route)} writes ${extra.join(', ')}`);
      for (const w of watch.writes.filter((x) => x.writer.startsWith('consumer:'))) {
        byConsumer.set(w.writer, [...(byConsumer.get(w.writer) ?? []), w]);
      }
    }
    watch.clear();
    await handleScheduledEvent(
      gw.runtime.deps,
      { id: 'grants-run', time: new Date().toISOString() },
      { budgetMs: 5_000 },
    );
    await gw.runtime.streams!.idle();
    const scheduled = watch.writes.filter((w) => w.writer === 'handler');
    watch.stop();
    // Assess
    expect(statuses.filter((s) => !/-> 20\d$/.test(s))).toEqual([]);
    expect(handlerFaults).toEqual([]);
    for (const consumer of STREAM_CONSUMERS) {
      const seen = kindsOf(byConsumer.get(`consumer:${consumer.fn}`) ?? []);
      expect(outside(seen, consumerWrites(consumer)), consumer.fn).toEqual([]);
    }
    expect(
      [...byConsumer.keys()].filter((w) => !STREAM_CONSUMERS.some((c) => w === `consumer:${c.fn}`)),
    ).toEqual([]);
    expect(outside(kindsOf(scheduled), SCHEDULED_HEALTH_CHECK_WRITES)).toEqual([]);
    expect(scheduled.length).toBeGreaterThan(0);
  });
});
