/**
 * `GET /api/me` over the real local runtime: every role sees exactly its own key (name, role,
 * team, scope as its team narrows it, permission classes), never a secret or another key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../lib/auth/roles.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { GARBAGE_KEY, mintKey } from './access-fixtures.js';

let gw: TestGateway;
let providerA: string;
let providerB: string;

const PERMISSIONS: Record<Role, string[]> = {
  admin: ['read', 'write', 'secrets', 'invoke', 'self'],
  operator: ['read', 'write', 'invoke', 'self'],
  viewer: ['read', 'self'],
  invoke: ['invoke', 'self'],
};

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' });
  const make = async (name: string) =>
    (await gw.call('POST', '/api/providers', { body: providerBody(name) })).json.id as string;
  providerA = await make('me-a');
  providerB = await make('me-b');
});
afterAll(async () => {
  await gw.stop();
});

describe('GET /api/me: the caller sees its own key', () => {
  it('answers each role with exactly its own key and permission classes', async () => {
    for (const role of ['admin', 'operator', 'viewer', 'invoke'] as const) {
      const minted = await mintKey(gw, { name: `Console ${role}`, role });
      const res = await gw.call('GET', '/api/me', { key: minted.key });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({
        key_id: minted.id,
        name: `Console ${role}`,
        role,
        team_id: null,
        provider_ids: null,
        model_ids: null,
        permissions: PERMISSIONS[role],
      });
      expect(res.text).not.toContain(minted.key);
      expect(res.text).not.toMatch(/hash|key_hint/);
    }
  });

  it("shows a scoped key its scope, and a team's key the scope as its team narrows it", async () => {
    const scoped = await mintKey(gw, { role: 'viewer', provider_ids: [providerA], model_ids: ['m-1'] });
    const seen = (await gw.call('GET', '/api/me', { key: scoped.key })).json;
    expect(seen).toMatchObject({ key_id: scoped.id, provider_ids: [providerA], model_ids: ['m-1'] });

    const team = await gw.call('POST', '/api/teams', {
      body: { name: 'Me team', provider_ids: [providerB] },
    });
    expect(team.status, team.text).toBe(201);
    const member = await mintKey(gw, { role: 'invoke', team_id: team.json.id });
    const mine = (await gw.call('GET', '/api/me', { key: member.key })).json;
    expect(mine).toMatchObject({
      key_id: member.id,
      team_id: team.json.id,
      provider_ids: [providerB],
      model_ids: null,
    });
  });

  it('names the bootstrap admin key without a record, and refuses callers without a valid key', async () => {
    const boot = await gw.call('GET', '/api/me');
    expect(boot.status).toBe(200);
    expect(boot.json).toEqual({
      key_id: 'key_bootstrap_admin',
      name: 'Bootstrap admin key',
      role: 'admin',
      team_id: null,
      provider_ids: null,
      model_ids: null,
      permissions: PERMISSIONS.admin,
    });
    expect(boot.text).not.toContain(gw.adminKey);

    for (const key of [null, GARBAGE_KEY]) {
      const res = await gw.call('GET', '/api/me', { key });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
    }
  });

  it('stops answering a key once it is revoked', async () => {
    const minted = await mintKey(gw, { role: 'operator' });
    expect((await gw.call('GET', '/api/me', { key: minted.key })).status).toBe(200);
    expect((await gw.call('DELETE', `/api/keys/${minted.id}`)).status).toBe(204);
    expect((await gw.call('GET', '/api/me', { key: minted.key })).status).toBe(401);
  });
});
