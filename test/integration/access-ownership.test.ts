/**
 * The access matrix with ownership: for every route of the route table and every role, a key scoped
 * to one provider (and a key scoped to one model) can neither see nor change anything outside its
 * scope. Each route is called with valid input aimed at the out-of-scope objects; then every object
 * outside the scope must be exactly as it was, and no answer may name one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../lib/auth/roles.js';
import { ROUTES, routeKey } from '../../lib/routes.js';
import { ROLES } from '../../lib/schemas/vocabulary.js';
import { bodyFor, pathFor, type Side, seedSide } from '../support/route-samples.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';

let gw: TestGateway;

let inside: Side;
let outside: Side;

const messages = [{ role: 'user', content: 'hi' }];

/**
 * What is stored about a side, as an admin reads it: with `whole`, everything of its provider;
 * otherwise what a model scope governs (models, rules, quotas). Fields that time or health checks
 * move are left out.
 */
async function snapshot(s: Side, whole: boolean): Promise<unknown> {
  const read = async (path: string) => {
    const { json } = await gw.call('GET', path);
    const { health_status: _h, duration_seconds: _d, ...rest } = (json ?? {}) as Record<string, unknown>;
    return rest;
  };
  const models = {
    models: (await gw.call('GET', `/api/providers/models?provider_id=${s.provider}&limit=100`)).json.data,
    rule: await read(`/api/providers/routing-rules/${s.rule}`),
    quota: await read(`/api/quotas/${s.quota}`),
    team: await read(`/api/teams/${s.team}`),
    teams: (await gw.call('GET', '/api/teams?limit=100')).json.data.length,
    rules: (await gw.call('GET', '/api/providers/routing-rules?limit=100')).json.data.length,
    quotas: (await gw.call('GET', '/api/quotas?limit=100')).json.data.length,
  };
  if (!whole) return models;
  return {
    ...models,
    provider: await read(`/api/providers/${s.provider}`),
    credentials: (await gw.call('GET', `/api/providers/${s.provider}/credentials`)).json.data.map(
      ({ last_used_at: _u, ...c }: Record<string, unknown>) => c,
    ),
    incident: await read(`/api/incidents/${s.incident}`),
  };
}

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off', ROUTING_CACHE_TTL: '0' });
  const widerKeyId = (await mintKey(gw, { role: 'viewer', name: 'wider key' })).id;
  inside = await seedSide(gw, 'own', widerKeyId);
  outside = await seedSide(gw, 'other', widerKeyId);
  await gw.runtime.streams!.idle();
});
afterAll(async () => {
  await gw.stop();
});

/** Runs every route for every role with keys of one scope, against `out`; returns what leaked. */
async function runMatrix(
  scope: { provider_ids?: string[]; model_ids?: string[]; team_id?: string },
  out: Side,
  secrets: string[],
) {
  const whole = scope.provider_ids !== undefined || scope.team_id !== undefined;
  const before = await snapshot(out, whole);
  const leaks: string[] = [];
  const changes: string[] = [];
  let calls = 0;
  for (const role of ROLES as readonly Role[]) {
    const key = (await mintKey(gw, { role, ...scope })).key;
    for (const route of ROUTES) {
      const path = pathFor(route, out);
      const input = bodyFor(route, out);
      const res = await gw.call(route.method, path, { key, ...input });
      calls++;
      const label = `${role} ${routeKey(route)} -> ${res.status}`;
      if (res.status >= 500) leaks.push(`${label}: server error`);
      // An id the caller sent may come back in a validation message; any other is a leak.
      const sent = path + JSON.stringify(input.body ?? '') + (input.rawBody ?? '');
      const named = secrets.filter((s) => res.text.includes(s) && !sent.includes(s));
      if (named.length > 0) leaks.push(`${label}: names ${named.join(', ')}`);
      if (route.method !== 'GET' && res.status < 300) changes.push(label);
    }
  }
  await gw.runtime.streams!.idle();
  expect(await snapshot(out, whole)).toEqual(before);
  return { leaks, changes, calls };
}

/** The ids of everything on a side that no answer to a key scoped to the other side may name. */
const everythingOf = (s: Side) => [
  s.provider,
  s.chatModel,
  s.credential,
  s.rule,
  s.quota,
  s.incident,
  s.team,
];

describe('access: ownership matrix over the whole route table', () => {
  it(`gives a key scoped to one provider, of every role, nothing outside it on all ${ROUTES.length} routes`, async () => {
    const { leaks, changes, calls } = await runMatrix(
      { provider_ids: [inside.provider] },
      outside,
      everythingOf(outside),
    );
    expect(leaks).toEqual([]);
    expect(changes).toEqual([]);
    expect(calls).toBe(ROUTES.length * ROLES.length);
  });

  it('gives a key scoped to one model, of every role, nothing of other models', async () => {
    // The other side's models are outside; its provider is not (a model scope narrows models only).
    const secrets = [outside.chatModel, outside.embedModel, outside.rule, outside.quota, outside.team];
    const { leaks, changes } = await runMatrix({ model_ids: [inside.chatModel] }, outside, secrets);
    expect(leaks).toEqual([]);
    // What it may change is outside the model scope's reach (its provider's incidents, say);
    // nothing of the other models changed (the snapshot above).
    expect(changes.filter((c) => !c.includes('/incidents') && !c.includes('/health-check'))).toEqual([]);
  });

  it('gives a key of a team (the team scoped to one provider), of every role, nothing outside it', async () => {
    const { leaks, changes } = await runMatrix({ team_id: inside.team }, outside, everythingOf(outside));
    expect(leaks).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('still lets the scoped keys work inside their scope (the matrix is not vacuous)', async () => {
    const key = (await mintKey(gw, { role: 'operator', provider_ids: [inside.provider] })).key;
    const chat = await gw.call('POST', '/v1/chat/completions', {
      key,
      body: { model: inside.chatModel, messages },
    });
    const model = await gw.call('POST', `/api/providers/${inside.provider}/models`, {
      key,
      body: { model_id: 'own-extra', model_type: 'llm' },
    });
    expect([chat.status, model.status]).toEqual([200, 201]);
  });
});
