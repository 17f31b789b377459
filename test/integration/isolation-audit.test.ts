/**
 * Tenant isolation, the audit trail as a side door: a caller reads only events about objects it may
 * read, and refusals that matter for security are recorded for admins (actor, route, reason).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';
import { fakeProviderKey } from './credentials-fixtures.js';

let gw: TestGateway;
let viewer: MintedKey;
let operator: MintedKey;
let providerA: string;
let providerB: string;

type AuditEvent = {
  actor_key_id: string;
  action: string;
  target_type: string;
  target_id: string;
  provider_id: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
};

/** Every event a key can list (following cursors). */
async function events(key: string | undefined, query = ''): Promise<AuditEvent[]> {
  await gw.runtime.streams!.idle();
  const seen: AuditEvent[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const res = await gw.call(
      'GET',
      `/api/audit?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`,
      key ? { key } : {},
    );
    expect(res.status, res.text).toBe(200);
    seen.push(...res.json.data);
    cursor = res.json.next_cursor;
    if (!cursor) return seen;
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  // A still clock: the once-a-minute refusal record does not depend on where the minute ends.
  const clock = Date.parse('2026-11-20T10:00:30.000Z');
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' }, { now: () => clock });
  viewer = await mintKey(gw, { role: 'viewer', name: 'curious viewer' });
  operator = await mintKey(gw, { role: 'operator', name: 'pushy operator' });
  providerA = (await gw.call('POST', '/api/providers', { body: providerBody('audit-iso-a') })).json.id;
  providerB = (await gw.call('POST', '/api/providers', { body: providerBody('audit-iso-b') })).json.id;
  await gw.call('POST', `/api/providers/${providerA}/credentials`, {
    body: { credential_type: 'api_key', credential_value: fakeProviderKey('audit') },
  });
});
afterAll(async () => {
  await gw.stop();
});

describe('isolation: the audit trail shows a caller only what it may read', () => {
  it('hides API-key and credential events from a viewer; an admin sees them', async () => {
    const seenByViewer = await events(viewer.key);
    const seenByAdmin = await events(undefined);
    const types = (list: AuditEvent[]) => new Set(list.map((e) => e.target_type));
    expect(types(seenByAdmin)).toContain('api_key');
    expect(types(seenByAdmin)).toContain('credential');
    expect(types(seenByViewer)).not.toContain('api_key');
    expect(types(seenByViewer)).not.toContain('credential');
    expect(JSON.stringify(seenByViewer)).not.toContain('pushy operator');
    expect(types(seenByViewer)).toContain('provider');
    // Filtering for them explicitly finds nothing either.
    expect(await events(viewer.key, '&target_type=api_key')).toEqual([]);
  });

  it('shows a key scoped to a provider only that provider’s events', async () => {
    const scoped = await mintKey(gw, { role: 'viewer', provider_ids: [providerB] });
    const seen = await events(scoped.key);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((e) => e.provider_id === providerB)).toBe(true);
  });
});

describe('isolation: refusals that matter are in the audit trail', () => {
  it('records a refused credential move, a role refusal, a scope refusal and a key escalation', async () => {
    // Prepare
    const scoped = await mintKey(gw, { role: 'operator', provider_ids: [providerB] });
    const narrowAdmin = await mintKey(gw, { role: 'admin', provider_ids: [providerB] });
    // Act: four refused attempts
    const move = await gw.call('PATCH', `/api/providers/${providerA}`, {
      key: operator.key,
      body: { base_url: 'https://attacker.example' },
    });
    const role = await gw.call('POST', '/api/keys', { key: viewer.key, body: { name: 'me', role: 'admin' } });
    const scope = await gw.call('PATCH', `/api/providers/${providerA}`, {
      key: scoped.key,
      body: { priority: 1 },
    });
    const escalation = await gw.call('POST', '/api/keys', {
      key: narrowAdmin.key,
      body: { name: 'wider', role: 'admin' },
    });
    // Assess: each answered in the envelope, and each recorded
    expect([move.status, role.status, scope.status, escalation.status]).toEqual([403, 403, 404, 403]);
    const denials = await events(undefined, '&target_type=access');
    const find = (actor: string, reason: string) =>
      denials.find((e) => e.actor_key_id === actor && e.changes.reason?.after === reason);
    expect(find(operator.id, 'credential_destination')?.changes).toMatchObject({
      route: { after: 'PATCH /api/providers/{id}' },
      target: { after: providerA },
      fields: { after: ['base_url'] },
    });
    expect(find(viewer.id, 'role')?.changes.route?.after).toBe('POST /api/keys');
    expect(find(scoped.id, 'out_of_scope')?.changes.target?.after).toBe(providerA);
    expect(find(narrowAdmin.id, 'key_exceeds_caller')?.changes.fields?.after).toEqual(['provider_ids']);
    expect(denials.every((e) => e.action === 'access.denied')).toBe(true);
    // Refusals are admin-only reading.
    expect(await events(viewer.key, '&target_type=access')).toEqual([]);
  });

  it('records a repeated refusal once a minute, not once per attempt', async () => {
    const before = (await events(undefined, '&target_type=access')).length;
    for (let i = 0; i < 5; i++) await gw.call('GET', '/api/keys', { key: viewer.key });
    const after = await events(undefined, '&target_type=access');
    expect(after.length - before).toBe(1);
  });
});
