import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import { type HealthGateway, startHealthGateway } from './health-fixtures.js';

let hg: HealthGateway;
let providerA: string;
let providerB: string;

beforeAll(async () => {
  hg = await startHealthGateway();
  providerA = (await hg.gw.call('POST', '/api/providers', { body: providerBody('incident-a') })).json.id;
  providerB = (await hg.gw.call('POST', '/api/providers', { body: providerBody('incident-b') })).json.id;
});
afterAll(async () => {
  await hg.stop();
});

const open = (providerId: string, body: Record<string, unknown>) =>
  hg.gw.call('POST', `/api/providers/${providerId}/incidents`, { body });

describe('incidents: manual lifecycle', () => {
  it('opens, acknowledges, notes and resolves an incident with its timeline and duration', async () => {
    // Prepare / Act: open
    hg.slot(1);
    const created = await open(providerA, {
      title: 'Elevated 5xx',
      severity: 'medium',
      description: 'EU only.\nInvestigating.',
    });
    // Assess
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({
      provider_id: providerA,
      title: 'Elevated 5xx',
      severity: 'medium',
      description: 'EU only.\nInvestigating.',
      status: 'open',
      source: 'manual',
      opened_at: hg.timeOf(1),
      acknowledged_at: null,
      resolved_at: null,
      duration_seconds: 0,
      version: 1,
    });

    // Acknowledge 2 minutes later, with the version read
    hg.clock.advance(120_000);
    const acked = await hg.gw.call('PATCH', `/api/incidents/${id}`, {
      body: { status: 'acknowledged', version: 1 },
    });
    expect(acked.status).toBe(200);
    expect(acked.json).toMatchObject({ status: 'acknowledged', version: 2, duration_seconds: 120 });
    const stale = await hg.gw.call('PATCH', `/api/incidents/${id}`, { body: { note: 'late', version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('version_conflict');

    // A note, then resolve 10 minutes after opening
    await hg.gw.call('PATCH', `/api/incidents/${id}`, { body: { note: 'Failing over to the US region.' } });
    hg.clock.advance(480_000);
    const resolved = await hg.gw.call('PATCH', `/api/incidents/${id}`, {
      body: { status: 'resolved', note: 'Upstream fixed.', version: 3 },
    });
    expect(resolved.json).toMatchObject({ status: 'resolved', duration_seconds: 600, version: 4 });
    expect(
      resolved.json.timeline.map((e: { type: string; note: string | null }) => [e.type, e.note]),
    ).toEqual([
      ['opened', null],
      ['acknowledged', null],
      ['note', 'Failing over to the US region.'],
      ['resolved', 'Upstream fixed.'],
    ]);

    // Never backwards; the duration stays fixed once resolved
    const back = await hg.gw.call('PATCH', `/api/incidents/${id}`, { body: { status: 'acknowledged' } });
    expect(back.status).toBe(409);
    expect(back.json.error.code).toBe('invalid_transition');
    hg.clock.advance(3_600_000);
    expect((await hg.gw.call('GET', `/api/incidents/${id}`)).json).toMatchObject({
      status: 'resolved',
      duration_seconds: 600,
    });
    expect(
      hg
        .incidentEvents()
        .filter((e) => e.detail.incident_id === id)
        .map((e) => e.type),
    ).toEqual(['incident.opened', 'incident.resolved']);
  });

  it('refuses bad input and fields a caller may not set, storing nothing', async () => {
    const before = (await hg.gw.call('GET', `/api/incidents?provider_id=${providerB}`)).json.data.length;
    const bad = [
      { title: 'x', severity: 'urgent' },
      { title: '', severity: 'low' },
      { title: 'x', severity: 'low', status: 'resolved' },
      { title: 'x', severity: 'low', id: 'inc_01m8bwjkr672zknf0jar5m8r48' },
      { title: 'x', severity: 'low', source: 'automatic' },
      { title: 'nul\u0000', severity: 'low' },
      { title: 'x', severity: 'low', description: 'y'.repeat(4001) },
    ];
    for (const body of bad) {
      const res = await open(providerB, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const { json } = await open(providerB, { title: 'ok', severity: 'low' });
    for (const body of [
      {},
      { version: 1 },
      { status: 'open' },
      { note: 'x', opened_at: '2020-01-01T00:00:00Z' },
      { note: 'x', duration_seconds: 1 },
    ]) {
      const res = await hg.gw.call('PATCH', `/api/incidents/${json.id}`, { body });
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const after = await hg.gw.call('GET', `/api/incidents/${json.id}`);
    expect(after.json).toMatchObject({ status: 'open', version: 1, opened_at: json.opened_at });
    expect((await hg.gw.call('GET', `/api/incidents?provider_id=${providerB}`)).json.data.length).toBe(
      before + 1,
    );
    expect((await open('prov_01m8bwjkr672zknf0jar5m8r48', { title: 'x', severity: 'low' })).status).toBe(404);
    expect((await hg.gw.call('GET', '/api/incidents/inc_01m8bwjkr672zknf0jar5m8r48')).status).toBe(404);
  });

  it('keeps a bounded timeline: the opening entry and the latest ones', async () => {
    const { json } = await open(providerB, { title: 'chatty', severity: 'low' });
    for (let i = 1; i <= 55; i++) {
      const res = await hg.gw.call('PATCH', `/api/incidents/${json.id}`, { body: { note: `note ${i}` } });
      expect(res.status).toBe(200);
    }
    const read = (await hg.gw.call('GET', `/api/incidents/${json.id}`)).json;
    expect(read.timeline).toHaveLength(50);
    expect(read.timeline_dropped).toBe(6);
    expect(read.timeline[0].type).toBe('opened');
    expect(read.timeline[1].note).toBe('note 7');
    expect(read.timeline.at(-1).note).toBe('note 55');
  });
});

describe('incidents: listing and visibility', () => {
  it('filters by provider, status, severity and opened-at range, newest first, page by page', async () => {
    hg.slot(1_000);
    const ids: string[] = [];
    for (const [i, severity] of (['low', 'critical', 'critical', 'high'] as const).entries()) {
      hg.slot(1_000 + i);
      ids.push((await open(providerA, { title: `list ${i}`, severity })).json.id);
    }
    await hg.gw.call('PATCH', `/api/incidents/${ids[2]}`, { body: { status: 'resolved' } });
    const range = `start=${hg.timeOf(1_000)}&end=${hg.timeOf(1_003)}`;
    const all = await hg.gw.call('GET', `/api/incidents?${range}`);
    expect(all.json.data.map((i: { id: string }) => i.id)).toEqual([...ids].reverse());
    const critical = await hg.gw.call('GET', `/api/incidents?${range}&severity=critical`);
    expect(critical.json.data.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    const openCritical = await hg.gw.call('GET', `/api/incidents?${range}&severity=critical&status=open`);
    expect(openCritical.json.data.map((i: { id: string }) => i.id)).toEqual([ids[1]]);
    const narrow = await hg.gw.call(
      'GET',
      `/api/incidents?provider_id=${providerA}&start=${hg.timeOf(1_001)}&end=${hg.timeOf(1_002)}`,
    );
    expect(narrow.json.data.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    const first = await hg.gw.call('GET', `/api/incidents?${range}&limit=3`);
    expect(first.json.has_more).toBe(true);
    const second = await hg.gw.call(
      'GET',
      `/api/incidents?${range}&limit=3&cursor=${first.json.next_cursor}`,
    );
    expect([...first.json.data, ...second.json.data].map((i: { id: string }) => i.id)).toEqual(
      [...ids].reverse(),
    );
    expect((await hg.gw.call('GET', '/api/incidents?status=closed')).status).toBe(400);
  });

  it('shows a provider-scoped key only its providers’ incidents (404 for the rest)', async () => {
    const onB = (await open(providerB, { title: 'scoped', severity: 'low' })).json.id;
    const onA = (await open(providerA, { title: 'hidden', severity: 'low' })).json.id;
    const scoped = await mintKey(hg.gw, { role: 'operator', provider_ids: [providerB] });
    expect((await hg.gw.call('GET', `/api/incidents/${onB}`, { key: scoped.key })).status).toBe(200);
    expect((await hg.gw.call('GET', `/api/incidents/${onA}`, { key: scoped.key })).status).toBe(404);
    expect(
      (await hg.gw.call('PATCH', `/api/incidents/${onA}`, { key: scoped.key, body: { note: 'x' } })).status,
    ).toBe(404);
    const listed = await hg.gw.call('GET', '/api/incidents?limit=100', { key: scoped.key });
    expect(listed.json.data.every((i: { provider_id: string }) => i.provider_id === providerB)).toBe(true);
    const foreignOpen = await hg.gw.call('POST', `/api/providers/${providerA}/incidents`, {
      key: scoped.key,
      body: { title: 'no', severity: 'low' },
    });
    expect(foreignOpen.status).toBe(404);
    const summary = await hg.gw.call('GET', '/api/health/summary', { key: scoped.key });
    expect(summary.json.providers.map((p: { provider_id: string }) => p.provider_id)).toEqual([providerB]);
    const viewer = await mintKey(hg.gw, { role: 'viewer' });
    expect(
      (await hg.gw.call('PATCH', `/api/incidents/${onB}`, { key: viewer.key, body: { note: 'x' } })).status,
    ).toBe(403);
    expect(
      (await hg.gw.call('POST', `/api/providers/${providerB}/health-check`, { key: viewer.key })).status,
    ).toBe(403);
  });
});
