/**
 * Who reads what in the request log. Prompts are absent by default; a key an admin marks keeps its
 * bodies, redacted (API-key shapes always, e-mail, phone and card numbers as configured), and only
 * the `secrets` class (admin) reads them. An operator cannot switch payload logging on for a rule,
 * nor widen a rule that has it. A viewer scoped to one provider sees that provider's calls only; a
 * key of a team sees its team's only; an invoke key reads no log at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/store/keys.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';
import { recordOf } from './request-logs-fixtures.js';

let gw: TestGateway;
let mockId: string;
let otherId: string;
let loggedKey: MintedKey;
let plainKey: MintedKey;
let viewer: MintedKey;
let operator: MintedKey;

/** Built at run time so no committed string looks like a real provider key. */
const KEY_SHAPED = ['sk', 'proj', 'Zz9'.repeat(10)].join('-');
const PROMPT = `mail ana.lopez@example.org, call +1 415 555 0134, card 4111 1111 1111 1111, key ${KEY_SHAPED}`;

async function chat(key: string, model = 'mock-chat', content = PROMPT) {
  const res = await gw.call('POST', '/v1/chat/completions', {
    key,
    body: { model, messages: [{ role: 'user', content }] },
  });
  expect(res.status, res.text).toBe(200);
  return res.headers.get('x-request-id')!;
}

beforeAll(async () => {
  // Rules apply at once (no routing cache), so the rule test sees its rule.
  gw = await startTestGateway({
    MOCK_PROVIDER: 'on',
    LOG_REDACT: 'email,phone,card',
    ROUTING_CACHE_TTL: '0',
  });
  const providers = await gw.call('GET', '/api/providers');
  mockId = providers.json.data.find((p: { name: string }) => p.name === 'mock').id;
  const other = await gw.call('POST', '/api/providers', {
    body: { name: 'mock-other', provider_type: 'mock', service_types: ['llm'] },
  });
  otherId = other.json.id;
  await gw.call('POST', `/api/providers/${otherId}/models`, {
    body: { model_id: 'other-chat', model_type: 'llm' },
  });
  loggedKey = await mintKey(gw, { role: 'invoke', log_payloads: true });
  plainKey = await mintKey(gw, { role: 'invoke' });
  viewer = await mintKey(gw, { role: 'viewer' });
  operator = await mintKey(gw, { role: 'operator' });
});
afterAll(async () => {
  await gw?.stop();
});

describe('request logs: payloads', () => {
  it('keeps no prompt by default: no payload in the record, no payload item in the table', async () => {
    const id = await chat(plainKey.key);
    const log = await recordOf(gw, id);
    expect(log.json.payload_logged).toBe(false);
    expect(log.json.payload).toBeNull();
    expect(log.text).not.toContain('ana.lopez');
    expect(await gw.runtime.deps.table.get(keys.requestLog(id, 'PAYLOAD'))).toBeUndefined();
  });

  it('keeps the bodies of a marked key, redacted, and shows them to an admin only', async () => {
    const id = await chat(loggedKey.key);
    const admin = await recordOf(gw, id);
    expect(admin.json.payload_logged).toBe(true);
    const request = admin.json.payload.request.text as string;
    expect(request).toContain('[email]');
    expect(request).toContain('[phone]');
    expect(request).toContain('[card]');
    expect(request).toContain('[redacted]');
    for (const secret of ['ana.lopez', '555 0134', '4111 1111', KEY_SHAPED]) {
      expect(admin.text).not.toContain(secret);
    }
    expect(admin.json.payload.response.text).toContain('mock-chat');
    for (const reader of [viewer, operator]) {
      const read = await gw.call('GET', `/api/logs/${id}`, { key: reader.key });
      expect(read.status).toBe(200);
      expect(read.json.payload_logged).toBe(true);
      expect(read.json).not.toHaveProperty('payload');
      expect(read.text).not.toContain('[email]');
    }
  });

  it('cuts a payload at LOG_PAYLOAD_MAX_BYTES and says so', async () => {
    const id = await chat(loggedKey.key, 'mock-chat', 'x'.repeat(40_000));
    const admin = await recordOf(gw, id);
    expect(admin.json.payload.request.truncated).toBe(true);
    expect(Buffer.byteLength(admin.json.payload.request.text)).toBeLessThanOrEqual(16_384);
  });

  it('refuses an operator who switches payload logging on for a rule, or changes such a rule', async () => {
    const rule = {
      rule_name: 'log other-chat',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: 'other-chat',
      provider_ids: [otherId],
      log_payloads: true,
    };
    const refused = await gw.call('POST', '/api/providers/routing-rules', { key: operator.key, body: rule });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('payload_logging_admin_only');
    const created = await gw.call('POST', '/api/providers/routing-rules', { body: rule });
    expect(created.status, created.text).toBe(201);
    const widened = await gw.call('PATCH', `/api/providers/routing-rules/${created.json.id}`, {
      key: operator.key,
      body: { model_pattern: '*' },
    });
    expect(widened.status).toBe(403);
    // The admin's rule logs what it routes, for any key.
    const id = await chat(plainKey.key, 'other-chat', 'routed by a logging rule');
    const admin = await recordOf(gw, id);
    expect(admin.json.payload.request.text).toContain('routed by a logging rule');
    // Switching it off is anyone's who may manage the rule.
    const off = await gw.call('PATCH', `/api/providers/routing-rules/${created.json.id}`, {
      key: operator.key,
      body: { log_payloads: false },
    });
    expect(off.status, off.text).toBe(200);
  });
});

describe('request logs: who sees which calls', () => {
  it('shows a viewer scoped to one provider only that provider’s calls', async () => {
    const mine = await chat(plainKey.key, 'mock-chat', 'in scope');
    const theirs = await chat(plainKey.key, 'other-chat', 'out of scope');
    await Promise.all([recordOf(gw, mine), recordOf(gw, theirs)]);
    const scoped = await mintKey(gw, { role: 'viewer', provider_ids: [mockId] });
    const list = await gw.call('GET', '/api/logs?limit=100', { key: scoped.key });
    expect(list.status).toBe(200);
    const ids = list.json.data.map((r: { request_id: string }) => r.request_id);
    expect(ids).toContain(mine);
    expect(ids).not.toContain(theirs);
    expect(list.json.data.every((r: { provider_id: string }) => r.provider_id === mockId)).toBe(true);
    const hidden = await gw.call('GET', `/api/logs/${theirs}`, { key: scoped.key });
    const missing = await gw.call('GET', '/api/logs/no-such-request', { key: scoped.key });
    expect(hidden.status).toBe(404);
    expect(hidden.json.error.code).toBe(missing.json.error.code);
    // Asking for the other provider by filter shows nothing either.
    const asked = await gw.call('GET', `/api/logs?provider_id=${otherId}`, { key: scoped.key });
    expect(asked.json.data).toEqual([]);
  });

  it("shows a team's viewer only its team's calls", async () => {
    const team = await gw.call('POST', '/api/teams', { body: { name: 'seen-team' } });
    const member = await mintKey(gw, { role: 'invoke', team_id: team.json.id });
    const teamViewer = await mintKey(gw, { role: 'viewer', team_id: team.json.id });
    const inside = await chat(member.key);
    const outside = await chat(plainKey.key);
    await Promise.all([recordOf(gw, inside), recordOf(gw, outside)]);
    const list = await gw.call('GET', '/api/logs?limit=100', { key: teamViewer.key });
    const ids = list.json.data.map((r: { request_id: string }) => r.request_id);
    expect(ids).toEqual([inside]);
    expect((await gw.call('GET', `/api/logs/${outside}`, { key: teamViewer.key })).status).toBe(404);
  });

  it('gives an invoke key no log at all', async () => {
    const id = await chat(plainKey.key);
    expect((await gw.call('GET', '/api/logs', { key: plainKey.key })).status).toBe(403);
    expect((await gw.call('GET', `/api/logs/${id}`, { key: plainKey.key })).status).toBe(403);
  });
});
