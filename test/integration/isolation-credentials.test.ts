/**
 * Tenant isolation, credentials: no role below admin can make a stored credential reach an origin
 * other than the one it was stored for, nor destroy it by deleting its provider. Each attack runs
 * over the real local runtime against fake upstreams that record what they receive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../lib/store/keys.js';
import { createOpenAIFake } from '../fakes/openai.js';
import type { FakeUpstream } from '../fakes/server.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';
import { fakeProviderKey } from './credentials-fixtures.js';

let gw: TestGateway;
let home: FakeUpstream;
let evil: FakeUpstream;
let operator: MintedKey;

/** Every header value the evil upstream received, joined (to search for the credential). */
const evilSaw = () => evil.requests.map((r) => JSON.stringify(r.headers)).join('\n');

async function providerWithCredential(name: string) {
  const created = await gw.call('POST', '/api/providers', {
    body: providerBody(name, { base_url: `${home.origin}/v1` }),
  });
  expect(created.status, created.text).toBe(201);
  const id = created.json.id as string;
  await gw.call('POST', `/api/providers/${id}/models`, {
    body: { model_id: `${name}-model`, model_type: 'llm' },
  });
  const secret = fakeProviderKey(name);
  const credential = await gw.call('POST', `/api/providers/${id}/credentials`, {
    body: { credential_type: 'api_key', credential_value: secret },
  });
  expect(credential.status, credential.text).toBe(201);
  return { id, model: `${name}-model`, secret, credentialId: credential.json.id as string };
}

const chat = (model: string, key?: string) =>
  gw.call('POST', '/v1/chat/completions', {
    ...(key ? { key } : {}),
    body: { model, messages: [{ role: 'user', content: 'hello' }] },
  });

beforeAll(async () => {
  home = createOpenAIFake();
  evil = createOpenAIFake();
  await Promise.all([home.start(), evil.start()]);
  gw = await startTestGateway({
    ALLOWED_PRIVATE_UPSTREAMS: '127.0.0.1/32',
    ROUTING_CACHE_TTL: '0',
    PROVIDER_MAX_RETRIES: '0',
    HEALTH_SCHEDULE: 'off',
  });
  operator = await mintKey(gw, { role: 'operator' });
});
afterAll(async () => {
  await gw.stop();
  await Promise.all([home.stop(), evil.stop()]);
});

describe('isolation: an operator cannot send a stored credential elsewhere', () => {
  it('refuses a base_url change of a provider holding a credential (403), and nothing reaches the new host', async () => {
    // Prepare
    const p = await providerWithCredential('moved-by-operator');
    const before = (await gw.call('GET', `/api/providers/${p.id}`)).json;
    evil.reset();
    // Act: the attack, then every path that would send the key
    const patch = await gw.call('PATCH', `/api/providers/${p.id}`, {
      key: operator.key,
      body: { base_url: `${evil.origin}/v1` },
    });
    await gw.call('POST', `/api/providers/${p.id}/health-check`, { key: operator.key });
    const answer = await chat(p.model, operator.key);
    // Assess
    expect(patch.status).toBe(403);
    expect(patch.json.error.code).toBe('forbidden');
    const after = (await gw.call('GET', `/api/providers/${p.id}`)).json;
    expect([after.base_url, after.version]).toEqual([before.base_url, before.version]);
    expect(answer.status).toBe(200);
    expect(evil.requests).toEqual([]);
    expect(home.last().headers.authorization).toBe(`Bearer ${p.secret}`);
  });

  it('refuses a Bedrock region change by an operator (the gateway role is its credential)', async () => {
    const created = await gw.call('POST', '/api/providers', {
      body: providerBody('bedrock-region', { provider_type: 'bedrock', metadata: { region: 'eu-west-1' } }),
    });
    const res = await gw.call('PATCH', `/api/providers/${created.json.id}`, {
      key: operator.key,
      body: { metadata: { region: 'us-east-1' } },
    });
    expect(res.status).toBe(403);
    expect((await gw.call('GET', `/api/providers/${created.json.id}`)).json.metadata).toEqual({
      region: 'eu-west-1',
    });
    // Metadata that does not decide the destination stays an operator's to change.
    const tuned = await gw.call('PATCH', `/api/providers/${created.json.id}`, {
      key: operator.key,
      body: { metadata: { region: 'eu-west-1', embed_input_type: 'search_query' } },
    });
    expect(tuned.status).toBe(200);
  });

  it('lets an operator move a provider that holds no credential', async () => {
    const created = await gw.call('POST', '/api/providers', {
      body: providerBody('no-credential-yet', { base_url: `${home.origin}/v1` }),
    });
    const res = await gw.call('PATCH', `/api/providers/${created.json.id}`, {
      key: operator.key,
      body: { base_url: `${evil.origin}/v1` },
    });
    expect(res.status).toBe(200);
  });

  it('binds the credential to its origin: a provider moved behind the API’s back gets no usable credential', async () => {
    // Prepare: a change of base_url that bypassed the API (a direct table write)
    const p = await providerWithCredential('moved-in-table');
    const item = await gw.runtime.deps.table.get(keys.provider(p.id));
    await gw.runtime.deps.table.updateVersioned({
      key: keys.provider(p.id),
      expectedVersion: Number(item?.version),
      changes: { base_url: `${evil.origin}/v1` },
      what: 'Provider',
    });
    evil.reset();
    // Act
    const answer = await chat(p.model);
    await gw.call('POST', `/api/providers/${p.id}/health-check`);
    // Assess: no request carries the key to the new origin
    expect(answer.status).toBe(503);
    expect(answer.json.error.code).toBe('no_credential');
    expect(evilSaw()).not.toContain(p.secret);
  });

  it('moves the credential with the provider when an admin makes the move', async () => {
    // Prepare
    const p = await providerWithCredential('moved-by-admin');
    evil.reset();
    // Act
    const patch = await gw.call('PATCH', `/api/providers/${p.id}`, {
      body: { base_url: `${evil.origin}/v1` },
    });
    const answer = await chat(p.model);
    const listed = await gw.call('GET', `/api/providers/${p.id}/credentials`);
    // Assess: the admin decided; the key now goes to the new origin
    expect(patch.status).toBe(200);
    expect(answer.status).toBe(200);
    expect(evil.last().headers.authorization).toBe(`Bearer ${p.secret}`);
    expect(listed.json.data[0].destination).toBe(evil.origin);
  });
});

describe('isolation: an operator cannot destroy credentials by deleting their provider', () => {
  it('refuses to delete a provider holding a live credential (403); an admin may', async () => {
    // Prepare
    const p = await providerWithCredential('kept-credential');
    // Act
    const denied = await gw.call('DELETE', `/api/providers/${p.id}?force=true`, { key: operator.key });
    const stillServes = await chat(p.model);
    const listed = await gw.call('GET', `/api/providers/${p.id}/credentials`);
    const byAdmin = await gw.call('DELETE', `/api/providers/${p.id}?force=true`);
    // Assess
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('forbidden');
    expect(stillServes.status).toBe(200);
    expect(listed.json.data[0].status).toBe('active');
    expect(byAdmin.status).toBe(204);
  });

  it('lets an operator delete a provider whose credentials are all revoked', async () => {
    const p = await providerWithCredential('revoked-credential');
    await gw.call('DELETE', `/api/providers/credentials/${p.credentialId}`);
    const res = await gw.call('DELETE', `/api/providers/${p.id}?force=true`, { key: operator.key });
    expect(res.status).toBe(204);
  });
});
