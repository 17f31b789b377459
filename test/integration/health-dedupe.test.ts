import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as lambdaHandler } from '../../functions/health/scheduled-check.js';
import { type FakeUpstream, startFakeUpstream } from '../fakes/health-upstream.js';
import { providerBody } from '../support/runtime.js';
import { type HealthGateway, startHealthGateway } from './health-fixtures.js';

let hg: HealthGateway;
/** The Lambda handler, over the test gateway's instance (as the schedule invokes it). */
let handler: ReturnType<typeof lambdaHandler.forGateway>;
let fake: FakeUpstream;

beforeAll(async () => {
  hg = await startHealthGateway();
  handler = lambdaHandler.forGateway(hg.deps);
  fake = await startFakeUpstream('down');
});
afterAll(async () => {
  await fake.close();
  await hg.stop();
});

/** An EventBridge scheduled event as Lambda receives it. */
const scheduledEvent = (id: string, time: string) => ({
  version: '0',
  id,
  'detail-type': 'Scheduled Event' as const,
  source: 'aws.events' as const,
  account: '123456789012',
  time,
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/health'],
  detail: {},
});

async function summaryOf(id: string) {
  const summary = await hg.gw.call('GET', '/api/health/summary');
  return summary.json.providers.find((p: { provider_id: string }) => p.provider_id === id);
}

describe('health: duplicate and overlapping scheduled runs', () => {
  it('counts a redelivered run once and opens one incident per outage when runs overlap', async () => {
    // Prepare
    const created = await hg.gw.call('POST', '/api/providers', {
      body: providerBody('dedupe-fake', { provider_type: 'custom', base_url: fake.url }),
    });
    const id = created.json.id as string;

    // Act 1: run 1 is delivered twice (same id and time), as EventBridge may
    const t1 = hg.slot(1);
    await handler(scheduledEvent('evt-1', t1));
    await handler(scheduledEvent('evt-1', t1));
    // Assess 1: both probed, one counted, failures not doubled
    expect(fake.requests).toHaveLength(2);
    expect(await summaryOf(id)).toMatchObject({
      consecutive_failures: 1,
      health_status: 'degraded',
      checks_24h: 1,
    });

    // Act 2: runs 2 and 3 each overlap with a second run of the same schedule time
    for (const n of [2, 3]) {
      const t = hg.slot(n);
      await Promise.all([
        handler(scheduledEvent(`evt-${n}`, t)),
        handler(scheduledEvent(`evt-${n}-again`, t)),
      ]);
    }
    // Assess 2: three counted failures, down, exactly one incident
    expect(await summaryOf(id)).toMatchObject({
      consecutive_failures: 3,
      health_status: 'down',
      checks_24h: 3,
    });
    const incidents = await hg.gw.call('GET', `/api/incidents?provider_id=${id}`);
    expect(incidents.json.data).toHaveLength(1);

    // Act 3: the outage goes on with more overlapping and repeated runs
    for (const n of [4, 5]) {
      const t = hg.slot(n);
      await Promise.all([
        handler(scheduledEvent(`evt-${n}`, t)),
        handler(scheduledEvent(`evt-${n}`, t)),
        handler(scheduledEvent(`evt-${n}-x`, t)),
      ]);
    }
    // Assess 3: still one incident and one `incident.opened` event; counts track intervals, not runs
    expect((await hg.gw.call('GET', `/api/incidents?provider_id=${id}`)).json.data).toHaveLength(1);
    expect(hg.incidentEvents().filter((e) => e.type === 'incident.opened')).toHaveLength(1);
    expect(await summaryOf(id)).toMatchObject({ consecutive_failures: 5, checks_24h: 5, uptime_24h: 0 });
    const history = await hg.gw.call('GET', `/api/providers/${id}/health-history?limit=100`);
    expect(history.json.data).toHaveLength(12);
    expect(history.json.data.filter((c: { counted: boolean }) => c.counted)).toHaveLength(5);

    // Act 4: recovery, also delivered twice
    fake.mode = 'up';
    for (const n of [6, 7]) {
      const t = hg.slot(n);
      await Promise.all([handler(scheduledEvent(`evt-${n}`, t)), handler(scheduledEvent(`evt-${n}`, t))]);
    }
    // Assess 4: resolved once
    const after = (await hg.gw.call('GET', `/api/incidents?provider_id=${id}`)).json.data;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      status: 'resolved',
      duration_seconds: (7 - 3) * (hg.intervalMs / 1000),
    });
    expect(hg.incidentEvents().map((e) => e.type)).toEqual(['incident.opened', 'incident.resolved']);
  });

  it('ignores a scheduled time that is implausibly far from the clock (it counts as now)', async () => {
    const created = await hg.gw.call('POST', '/api/providers', {
      body: providerBody('future-event', { provider_type: 'custom', base_url: fake.url }),
    });
    const id = created.json.id as string;
    const now = hg.slot(30);
    const report = await handler(scheduledEvent('evt-future', '2099-01-01T00:00:00Z'));
    expect(report.observed_at).toBe(now);
    const next = await handler(scheduledEvent('evt-31', hg.slot(31)));
    expect(next.counted).toBeGreaterThan(0);
    expect((await summaryOf(id)).checks_24h).toBe(2);
  });
});
