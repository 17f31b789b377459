import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTable } from '../../lib/audit/verify-table.js';
import type { Gateway } from '../../lib/runtime/gateway.js';
import { keys } from '../../lib/store/keys.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

const DAY_MS = 86_400_000;
let clock = Date.parse('2026-11-01T09:00:00.000Z');
let gw: TestGateway;
let deps: Gateway;

async function change(name: string): Promise<string> {
  const res = await gw.call('POST', '/api/providers', {
    body: providerBody(name, { provider_type: 'mock' }),
  });
  expect(res.status, res.text).toBe(201);
  await gw.runtime.streams!.idle();
  return res.json.id;
}

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off', AUDIT_RETENTION_DAYS: '2' }, { now: () => clock });
  deps = gw.runtime.deps;
});
afterAll(async () => {
  await gw.stop();
});

describe('audit: retention', () => {
  it('lets events expire by TTL, and audit:verify accepts the expired start of the chain', async () => {
    await change('retention-old-1');
    await change('retention-old-2');
    const oldCount = Number((await deps.table.get(keys.auditHead()))!.sequence);
    clock += 3 * DAY_MS;
    const recent = await change('retention-new');
    expect(await gw.runtime.streams!.sweepNow()).toBeGreaterThanOrEqual(oldCount);
    await gw.runtime.streams!.idle();
    const report = await verifyAuditTable(deps);
    expect(report).toMatchObject({ ok: true, expired: oldCount, first_sequence: oldCount + 1 });
    const listed = await gw.call('GET', '/api/audit?limit=100');
    expect(listed.json.data.map((e: { target_id: string }) => e.target_id)).toEqual([recent]);
  });

  it('still reports the oldest events removed before they expired', async () => {
    const day = new Date(clock).toISOString().slice(0, 10);
    const [first] = await deps.table.queryAll({ partition: keys.auditDay(day) });
    clock += DAY_MS / 2;
    await change('retention-later');
    await deps.table.delete({ pk: first!.pk, sk: first!.sk });
    const report = await verifyAuditTable(deps);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'missing', sequence: Number(first!.sequence) }),
    );
  });
});
