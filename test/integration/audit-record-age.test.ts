/**
 * A change the audit writer could not take before the stream's record age limit is still recorded:
 * the local change stream gives the batch up once its oldest record is past `maxRecordAgeSeconds`
 * (as Lambda's event source mapping does), the audit writer's on-failure destination keeps the
 * records themselves (not stream coordinates that point at nothing after 24 hours), and replaying
 * them records the event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_RECORD_AGE_SECONDS } from '../../lib/streams/consumers.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { keyOf, mockStore, type StoreMock, throttlingError } from '../support/store.js';

let clock = Date.parse('2026-12-01T09:00:00.000Z');
let gw: TestGateway;
let store: StoreMock;

beforeAll(async () => {
  store = mockStore();
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' }, { now: () => clock });
});
afterAll(async () => {
  store.heal();
  await gw.stop();
  store.restore();
});

const until = async (done: () => boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; !done(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('audit: a change older than the stream age limit is not lost', () => {
  it('keeps the records of a batch given up for age, and records the event when they are replayed', async () => {
    // Prepare: the audit writer cannot append (its chain head is throttled) while a provider is created
    store.failWhen((command) => keyOf(command as never).pk === 'AUDIT_HEAD', throttlingError());
    const created = await gw.call('POST', '/api/providers', { body: providerBody('aged-change') });
    expect(created.status, created.text).toBe(201);
    const id = created.json.id as string;
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few failed deliveries
    // Act: the record ages past the limit while the writer still fails
    clock += (DEFAULT_MAX_RECORD_AGE_SECONDS + 60) * 1000;
    await until(() => gw.runtime.streams!.failures().length > 0);
    const [failed] = gw.runtime.streams!.failures();
    // Assess: the destination holds the change itself, not only its stream coordinates
    expect(failed).toMatchObject({ consumer: 'streams/audit-writer', condition: 'RecordAgeExceeded' });
    const kept = failed!.records?.find((r) => r.dynamodb?.NewImage?.id?.S === id);
    expect(kept?.eventName).toBe('INSERT');
    const before = await gw.call('GET', `/api/audit?target_type=provider&target_id=${id}`);
    expect(before.json.data).toEqual([]);
    // Act: the writer recovers and the kept batch is replayed
    store.heal();
    expect(await gw.runtime.streams!.replayFailures()).toBe(1);
    await gw.runtime.streams!.idle();
    // Assess: the change is in the audit trail, and the destination is empty
    const after = await gw.call('GET', `/api/audit?target_type=provider&target_id=${id}`);
    expect(after.json.data.map((e: { action: string }) => e.action)).toEqual(['provider.created']);
    expect(gw.runtime.streams!.failures()).toEqual([]);
  });
});
