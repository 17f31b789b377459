/**
 * Read routes write nothing: in AWS their functions hold no table write grant, so a write there
 * would fail in production. Every GET of the route table is called through the local runtime over
 * seeded data (a credential whose retiring version is past its grace period included), with a
 * store client that refuses and records every write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../lib/routes.js';
import { type SampleWorld, seedWorld } from '../support/route-samples.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mockStore, type StoreMock } from '../support/store.js';
import { watchWrites } from '../support/store-writes.js';
import { fakeProviderKey } from './credentials-fixtures.js';

const HOUR_MS = 3_600_000;
let clock = Date.now();
let gw: TestGateway;
let store: StoreMock;
let world: SampleWorld;

beforeAll(async () => {
  store = mockStore();
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off', CREDENTIAL_GRACE_HOURS: '1' }, { now: () => clock });
  world = await seedWorld(gw, 'reads');
  const rotated = await gw.call('POST', `/api/providers/credentials/${world.side.credential}/rotate`, {
    body: { credential_value: fakeProviderKey('reads-next') },
  });
  expect(rotated.status, rotated.text).toBe(200);
  await gw.runtime.streams!.idle();
  clock += 2 * HOUR_MS; // the rotated-out version is now past its grace period
});
afterAll(async () => {
  await gw.stop();
  store.restore();
});

describe('read routes: no GET writes the table', () => {
  it('answers every GET of the route table without a single write attempt', async () => {
    // Prepare
    const reads = ROUTES.filter((r) => r.method === 'GET');
    const watch = watchWrites(store, { refuse: true });
    // Act
    const answers: string[] = [];
    for (const route of reads) {
      const res = await gw.call('GET', world.pathOf(route));
      answers.push(`${routeKey(route)} -> ${res.status}`);
    }
    await gw.runtime.idle();
    watch.stop();
    // Assess
    expect(watch.writes).toEqual([]);
    expect(answers.filter((a) => !a.endsWith('-> 200'))).toEqual([]);
    expect(reads.length).toBeGreaterThan(20);
  });

  it('shows a credential without its versions past the grace period, though it writes nothing', async () => {
    const watch = watchWrites(store, { refuse: true });
    const list = await gw.call('GET', `/api/providers/${world.side.provider}/credentials`);
    watch.stop();
    expect(list.status, list.text).toBe(200);
    const credential = list.json.data.find((c: { id: string }) => c.id === world.side.credential);
    expect(credential.versions.map((v: { status: string }) => v.status)).toEqual(['active']);
    expect(watch.writes).toEqual([]);
  });
});
