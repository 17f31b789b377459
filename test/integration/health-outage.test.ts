import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMode, type FakeUpstream, startFakeUpstream } from '../fakes/health-upstream.js';
import { providerBody } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import { type HealthGateway, startHealthGateway } from './health-fixtures.js';

let hg: HealthGateway;
let fake: FakeUpstream;

beforeAll(async () => {
  hg = await startHealthGateway();
  fake = await startFakeUpstream('up');
});
afterAll(async () => {
  await fake.close();
  await hg.stop();
});

describe('health: a provider that goes down and comes back', () => {
  it('moves healthy → degraded → down → healthy and opens and resolves exactly one incident', async () => {
    // Prepare
    const created = await hg.gw.call('POST', '/api/providers', {
      body: providerBody('outage-fake', { provider_type: 'custom', base_url: fake.url }),
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const script: FakeMode[] = ['up', 'down', 'down', 'down', 'down', 'up', 'up', 'up'];
    // Act: one scheduled run per interval, the upstream following the script
    const statuses: string[] = [];
    for (const [n, mode] of script.entries()) {
      fake.mode = mode;
      const report = await hg.deliver(`evt-${n + 1}`, hg.slot(n + 1));
      expect(report).toMatchObject({ checked: 1, counted: 1, errors: 0 });
      statuses.push((await hg.gw.call('GET', `/api/providers/${id}`)).json.health_status);
    }
    // Assess: the transitions, in order
    expect(statuses).toEqual([
      'healthy',
      'degraded',
      'degraded',
      'down',
      'down',
      'down',
      'healthy',
      'healthy',
    ]);
    const transitions = statuses.filter((s, i) => s !== statuses[i - 1]);
    expect(transitions).toEqual(['healthy', 'degraded', 'down', 'healthy']);

    // One incident, opened at the third failed check (slot 4), resolved at the second good one (slot 7)
    const list = await hg.gw.call('GET', `/api/incidents?provider_id=${id}`);
    expect(list.json.data).toHaveLength(1);
    const incident = list.json.data[0];
    expect(incident).toMatchObject({
      provider_id: id,
      source: 'automatic',
      status: 'resolved',
      severity: 'high',
      opened_at: hg.timeOf(4),
      resolved_at: hg.timeOf(7),
      duration_seconds: (3 * hg.intervalMs) / 1000,
    });
    expect(incident.timeline.map((e: { type: string }) => e.type)).toEqual(['opened', 'resolved']);
    expect(incident.timeline.map((e: { actor: string }) => e.actor)).toEqual(['system', 'system']);

    // The bus saw it opened then resolved, once each
    expect(hg.incidentEvents().map((e) => [e.type, e.detail.incident_id])).toEqual([
      ['incident.opened', incident.id],
      ['incident.resolved', incident.id],
    ]);
    expect(hg.incidentEvents()[1]?.detail.duration_seconds).toBe(900);

    // Health never touched the provider's configuration version
    const provider = await hg.gw.call('GET', `/api/providers/${id}`);
    expect(provider.json.version).toBe(1);

    // History: every check, newest first, with the status after it
    const history = await hg.gw.call('GET', `/api/providers/${id}/health-history?limit=100`);
    expect(history.status).toBe(200);
    expect(history.json.data.map((c: { result: string }) => c.result)).toEqual(
      [...script].reverse().map((m) => (m === 'up' ? 'ok' : 'error')),
    );
    expect(history.json.data[4]).toMatchObject({
      error_class: 'server',
      http_status: 503,
      trigger: 'schedule',
      counted: true,
    });

    // Summary: uptime over the window, MTTR from the resolved incident
    const summary = await hg.gw.call('GET', '/api/health/summary');
    const row = summary.json.providers.find((p: { provider_id: string }) => p.provider_id === id);
    expect(row).toMatchObject({
      health_status: 'healthy',
      uptime_24h: 50,
      uptime_7d: 50,
      checks_24h: 8,
      open_incident_id: null,
      mttr_seconds: 900,
      incidents_resolved: 1,
      consecutive_failures: 0,
    });
    expect(summary.json.totals.mttr_seconds).toBe(900);
  });

  it('checks on demand through the same path, counting one check per interval', async () => {
    const created = await hg.gw.call('POST', '/api/providers', {
      body: providerBody('on-demand-fake', { provider_type: 'custom', base_url: fake.url }),
    });
    const id = created.json.id as string;
    fake.mode = 'down';
    hg.slot(20);
    const first = await hg.gw.call('POST', `/api/providers/${id}/health-check`);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      provider_id: id,
      health_status: 'degraded',
      consecutive_failures: 1,
      check: { result: 'error', error_class: 'server', trigger: 'manual', counted: true },
    });
    hg.clock.advance(1_000);
    const again = await hg.gw.call('POST', `/api/providers/${id}/health-check`);
    expect(again.json).toMatchObject({ consecutive_failures: 1, check: { counted: false } });
    const missing = await hg.gw.call('POST', '/api/providers/prov_01m8bwjkr672zknf0jar5m8r48/health-check');
    expect(missing.status).toBe(404);
  });

  it("records an incident that an operator's on-demand checks open and resolve as that operator's", async () => {
    // Prepare
    const operator = await mintKey(hg.gw, { role: 'operator', name: 'on-call' });
    const created = await hg.gw.call('POST', '/api/providers', {
      body: providerBody('manual-outage-fake', { provider_type: 'custom', base_url: fake.url }),
    });
    const id = created.json.id as string;
    // Act: three failed checks open the incident, two good ones resolve it, all on demand
    let incidentId: string | null = null;
    for (const [n, mode] of (['down', 'down', 'down', 'up', 'up'] as FakeMode[]).entries()) {
      fake.mode = mode;
      hg.slot(40 + n);
      const res = await hg.gw.call('POST', `/api/providers/${id}/health-check`, { key: operator.key });
      expect(res.status, res.text).toBe(200);
      incidentId ??= res.json.incident_opened;
    }
    await hg.gw.runtime.streams!.idle();
    // Assess
    expect(incidentId).toMatch(/^inc_/);
    const audit = await hg.gw.call('GET', `/api/audit?target_type=incident&target_id=${incidentId}`);
    expect(audit.status, audit.text).toBe(200);
    const events = audit.json.data as Array<{ action: string; actor_key_id: string }>;
    expect(events.map((e) => e.action).sort()).toEqual(['incident.created', 'incident.resolved']);
    expect(new Set(events.map((e) => e.actor_key_id))).toEqual(new Set([operator.id]));
  });
});
