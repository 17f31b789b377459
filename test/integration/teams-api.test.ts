/**
 * Teams over the real local runtime: the CRUD contract, keys minted into a team (their scope lies
 * within the team's and follows it), deletion with and without revoking the keys, and what each
 * holder can NOT do with teams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/store/keys.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';

let gw: TestGateway;
let providerA: string;
let providerB: string;
const messages = [{ role: 'user', content: 'hi' }];

async function provider(name: string): Promise<string> {
  const id = (
    await gw.call('POST', '/api/providers', {
      body: providerBody(name, { provider_type: 'mock', service_types: ['llm'] }),
    })
  ).json.id as string;
  const model = await gw.call('POST', `/api/providers/${id}/models`, {
    body: { model_id: `${name}-chat`, model_type: 'llm' },
  });
  expect(model.status, model.text).toBe(201);
  return id;
}

async function team(body: Record<string, unknown>, key?: string) {
  return gw.call('POST', '/api/teams', { body, ...(key ? { key } : {}) });
}

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off', ROUTING_CACHE_TTL: '0' });
  providerA = await provider('teams-a');
  providerB = await provider('teams-b');
});
afterAll(async () => {
  await gw.stop();
});

describe('teams: the API', () => {
  it('creates, reads, lists, patches with versions and keeps names unique case-insensitively', async () => {
    const created = await team({
      name: 'Research',
      provider_ids: [providerA],
      rate_limit_rpm: 600,
      rate_limit_tpm: 100_000,
      metadata: { cost_center: 'r-1' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^team_/),
      name: 'Research',
      provider_ids: [providerA],
      model_ids: null,
      rate_limit_rpm: 600,
      rate_limit_tpm: 100_000,
      metadata: { cost_center: 'r-1' },
      version: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const id = created.json.id as string;
    expect((await gw.call('GET', `/api/teams/${id}`)).json).toEqual(created.json);
    expect((await gw.call('GET', '/api/teams')).json.data.map((t: { id: string }) => t.id)).toContain(id);

    const taken = await team({ name: 'research' });
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe('name_taken');

    const patched = await gw.call('PATCH', `/api/teams/${id}`, {
      body: { name: 'Research Lab', rate_limit_rpm: null, version: 1 },
    });
    expect(patched.json).toMatchObject({ name: 'Research Lab', rate_limit_rpm: null, version: 2 });
    const stale = await gw.call('PATCH', `/api/teams/${id}`, { body: { metadata: {}, version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe('version_conflict');
    // The old name is free again; system fields cannot be set.
    expect((await team({ name: 'RESEARCH' })).status).toBe(201);
    const mass = await gw.call('PATCH', `/api/teams/${id}`, { body: { id: 'team_x', version: 2 } });
    expect(mass.status).toBe(422);
    expect((await gw.call('GET', `/api/teams/${id}`)).json.version).toBe(2);
  });

  it('refuses bad input with 4xx in the envelope', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: 'x', provider_ids: [] },
      { name: 'x', provider_ids: ['not-an-id'] },
      { name: 'x', rate_limit_rpm: 0 },
      { name: 'x', unknown: 1 },
    ]) {
      const res = await team(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.code).toBe('validation_error');
    }
    expect((await gw.call('GET', '/api/teams/team_01m8bwjkr672zknf0jar5m8r48')).status).toBe(404);
    expect((await gw.call('GET', '/api/teams/nope')).status).toBe(404);
  });
});

describe('teams: keys of a team', () => {
  let teamId: string;
  let member: MintedKey;

  beforeAll(async () => {
    teamId = (await team({ name: 'Scoped', provider_ids: [providerA] })).json.id;
    member = await mintKey(gw, { role: 'operator', team_id: teamId });
  });

  it('shows the team on the key, and scopes the key to the team', async () => {
    const key = await gw.call('GET', `/api/keys/${member.id}`);
    expect(key.json).toMatchObject({ team_id: teamId, provider_ids: null });
    const providers = (await gw.call('GET', '/api/providers', { key: member.key })).json.data;
    expect(providers.map((p: { id: string }) => p.id)).toEqual([providerA]);
    expect((await gw.call('GET', `/api/providers/${providerB}`, { key: member.key })).status).toBe(404);
    const chat = (model: string) =>
      gw.call('POST', '/v1/chat/completions', { key: member.key, body: { model, messages } });
    expect((await chat('teams-a-chat')).status).toBe(200);
    expect((await chat('teams-b-chat')).status).toBe(404);
    // A rotated secret keeps the team (and so its scope).
    const rotated = await gw.call('POST', `/api/keys/${member.id}/rotate`);
    expect(rotated.json.team_id).toBe(teamId);
    member = { id: member.id, key: rotated.json.key };
    expect((await gw.call('GET', `/api/providers/${providerB}`, { key: member.key })).status).toBe(404);
    expect((await gw.call('GET', `/api/providers/${providerA}`, { key: member.key })).status).toBe(200);
  });

  it('follows the team when its scope changes', async () => {
    const current = (await gw.call('GET', `/api/teams/${teamId}`)).json;
    const moved = await gw.call('PATCH', `/api/teams/${teamId}`, {
      body: { provider_ids: [providerB], version: current.version },
    });
    expect(moved.status, moved.text).toBe(200);
    expect((await gw.call('GET', `/api/providers/${providerA}`, { key: member.key })).status).toBe(404);
    expect((await gw.call('GET', `/api/providers/${providerB}`, { key: member.key })).status).toBe(200);
    await gw.call('PATCH', `/api/teams/${teamId}`, {
      body: { provider_ids: [providerA], version: moved.json.version },
    });
  });

  it('refuses a key wider than its team, naming the team', async () => {
    const res = await gw.call('POST', '/api/keys', {
      body: { name: 'too wide', role: 'invoke', team_id: teamId, provider_ids: [providerB] },
    });
    expect(res.status).toBe(403);
    expect(res.json.error).toMatchObject({
      code: 'key_exceeds_team',
      details: { team_id: teamId, fields: ['provider_ids'] },
    });
    const narrower = await gw.call('POST', '/api/keys', {
      body: { name: 'narrow', role: 'invoke', team_id: teamId, provider_ids: [providerA] },
    });
    expect(narrower.status).toBe(201);
    const unknown = await gw.call('POST', '/api/keys', {
      body: { name: 'lost', role: 'invoke', team_id: 'team_01m8bwjkr672zknf0jar5m8r48' },
    });
    expect(unknown.status).toBe(404);
  });

  it('refuses a key whose team is gone (one made while its team was being deleted): it fails closed', async () => {
    const fleeting = (await team({ name: 'Fleeting' })).json.id as string;
    const key = await mintKey(gw, { role: 'invoke', team_id: fleeting });
    expect((await gw.call('GET', '/v1/models', { key: key.key })).status).toBe(200);
    await gw.runtime.deps.table.delete(keys.team(fleeting));
    expect((await gw.call('GET', '/v1/models', { key: key.key })).status).toBe(401);
  });

  it('deletes a team with keys only when asked to revoke them', async () => {
    const doomed = (await team({ name: 'Doomed' })).json.id as string;
    const key = await mintKey(gw, { role: 'invoke', team_id: doomed });
    const refused = await gw.call('DELETE', `/api/teams/${doomed}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'team_has_keys', details: { active_keys: 1 } });
    expect((await gw.call('GET', '/v1/models', { key: key.key })).status).toBe(200);
    expect((await gw.call('DELETE', `/api/teams/${doomed}?revoke_keys=true`)).status).toBe(204);
    expect((await gw.call('GET', `/api/teams/${doomed}`)).status).toBe(404);
    expect((await gw.call('GET', '/v1/models', { key: key.key })).status).toBe(401);
    expect((await gw.call('GET', `/api/keys/${key.id}`)).json.status).toBe('revoked');
    // Its name is free, and a team without keys is deleted at once.
    const again = (await team({ name: 'doomed' })).json.id as string;
    expect((await gw.call('DELETE', `/api/teams/${again}`)).status).toBe(204);
  });
});

describe('teams: what others can NOT do', () => {
  let teamId: string;
  let otherTeam: string;

  beforeAll(async () => {
    teamId = (await team({ name: 'Guarded', provider_ids: [providerA] })).json.id;
    otherTeam = (await team({ name: 'Elsewhere', provider_ids: [providerB] })).json.id;
  });

  it('a viewer reads teams but changes none; an invoke key and an operator change none either', async () => {
    const viewer = await mintKey(gw, { role: 'viewer' });
    const invoke = await mintKey(gw, { role: 'invoke' });
    const operator = await mintKey(gw, { role: 'operator' });
    expect((await gw.call('GET', `/api/teams/${teamId}`, { key: viewer.key })).status).toBe(200);
    for (const key of [viewer.key, invoke.key, operator.key]) {
      expect((await team({ name: 'sneak' }, key)).status).toBe(403);
      const patch = await gw.call('PATCH', `/api/teams/${teamId}`, { key, body: { rate_limit_rpm: 1 } });
      expect(patch.status).toBe(403);
      expect((await gw.call('DELETE', `/api/teams/${teamId}`, { key })).status).toBe(403);
    }
    expect((await gw.call('GET', '/api/teams', { key: invoke.key })).status).toBe(403);
    expect((await gw.call('GET', `/api/teams/${teamId}`)).json.rate_limit_rpm).toBeNull();
  });

  it('a key scoped elsewhere sees neither the team nor its name, and cannot shape teams beyond it', async () => {
    const elsewhere = await mintKey(gw, { role: 'admin', provider_ids: [providerB] });
    const get = await gw.call('GET', `/api/teams/${teamId}`, { key: elsewhere.key });
    expect(get.status).toBe(404);
    const list = await gw.call('GET', '/api/teams?limit=100', { key: elsewhere.key });
    expect(list.text).not.toContain(teamId);
    expect(list.json.data.map((t: { id: string }) => t.id)).toContain(otherTeam);
    const patch = await gw.call('PATCH', `/api/teams/${teamId}`, {
      key: elsewhere.key,
      body: { provider_ids: [providerB] },
    });
    expect(patch.status).toBe(404);
    expect((await gw.call('DELETE', `/api/teams/${teamId}`, { key: elsewhere.key })).status).toBe(404);
    const wide = await team({ name: 'wider than me' }, elsewhere.key);
    expect(wide.status).toBe(403);
    expect(wide.json.error.code).toBe('scoped_key');
    const inKey = await gw.call('POST', '/api/keys', {
      key: elsewhere.key,
      body: { name: 'into a team I cannot see', role: 'viewer', team_id: teamId },
    });
    expect(inKey.status).toBe(404);
  });

  it('a key of a team sees only its team, cannot change it, and mints keys of its team only', async () => {
    const member = await mintKey(gw, { role: 'admin', team_id: teamId });
    const list = await gw.call('GET', '/api/teams?limit=100', { key: member.key });
    expect(list.json.data.map((t: { id: string }) => t.id)).toEqual([teamId]);
    expect((await gw.call('GET', `/api/teams/${otherTeam}`, { key: member.key })).status).toBe(404);
    const widen = await gw.call('PATCH', `/api/teams/${teamId}`, {
      key: member.key,
      body: { provider_ids: null },
    });
    expect(widen.status).toBe(403);
    expect(widen.json.error.code).toBe('scoped_key');
    const teamless = await gw.call('POST', '/api/keys', {
      key: member.key,
      body: { name: 'no team', role: 'viewer' },
    });
    expect(teamless.status).toBe(403);
    // Wider in its team and, the team being scoped to one provider, in its providers too.
    expect(teamless.json.error).toMatchObject({
      code: 'key_exceeds_caller',
      details: { fields: ['provider_ids', 'team_id'] },
    });
    const inside = await gw.call('POST', '/api/keys', {
      key: member.key,
      body: { name: 'teammate', role: 'viewer', team_id: teamId },
    });
    expect(inside.status, inside.text).toBe(201);
    const listed = (await gw.call('GET', '/api/keys?limit=100', { key: member.key })).json.data;
    expect(new Set(listed.map((k: { team_id: string }) => k.team_id))).toEqual(new Set([teamId]));
    // Filtering by another team shows it nothing of that team.
    const foreign = await gw.call('GET', `/api/keys?limit=100&team_id=${otherTeam}`, { key: member.key });
    expect(foreign.status).toBe(200);
    expect(foreign.json.data).toEqual([]);
  });

  it("lists a team's keys with team_id, and only them", async () => {
    const stranger = await mintKey(gw, { role: 'viewer', team_id: otherTeam });
    const teamless = await mintKey(gw, { role: 'viewer' });
    const ofTeam = (await gw.call('GET', `/api/keys?limit=100&team_id=${teamId}`)).json.data;
    expect(ofTeam.length).toBeGreaterThan(0);
    expect(new Set(ofTeam.map((k: { team_id: string }) => k.team_id))).toEqual(new Set([teamId]));
    const ids = ofTeam.map((k: { id: string }) => k.id);
    expect(ids).not.toContain(stranger.id);
    expect(ids).not.toContain(teamless.id);
    const ofOther = (await gw.call('GET', `/api/keys?limit=100&team_id=${otherTeam}`)).json.data;
    expect(ofOther.map((k: { id: string }) => k.id)).toContain(stranger.id);
    expect((await gw.call('GET', '/api/keys?team_id=not%20an%20id')).status).toBe(400);
  });

  it("shows a team's audit events to the team and to unscoped readers only", async () => {
    await gw.runtime.streams!.idle();
    const events = async (key?: string) =>
      (await gw.call('GET', `/api/audit?target_type=team&target_id=${teamId}`, key ? { key } : {})).json
        .data as Array<{ action: string }>;
    expect((await events()).map((e) => e.action)).toContain('team.created');
    const member = await mintKey(gw, { role: 'viewer', team_id: teamId });
    const other = await mintKey(gw, { role: 'viewer', team_id: otherTeam });
    const scoped = await mintKey(gw, { role: 'viewer', provider_ids: [providerA] });
    expect((await events(member.key)).length).toBeGreaterThan(0);
    expect(await events(other.key)).toEqual([]);
    expect(await events(scoped.key)).toEqual([]);
  });
});
