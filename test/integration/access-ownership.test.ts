/**
 * The access matrix with ownership: for every route of the route table and every role, a key scoped
 * to one provider (and a key scoped to one model) can neither see nor change anything outside its
 * scope. Each route is called with valid input aimed at the out-of-scope objects; then every object
 * outside the scope must be exactly as it was, and no answer may name one of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../lib/auth/roles.js';
import { ROUTES, type Route, routeKey } from '../../lib/routes.js';
import { ROLES } from '../../lib/schemas/vocabulary.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { mintKey } from './access-fixtures.js';
import { fakeProviderKey } from './credentials-fixtures.js';

let gw: TestGateway;

/** The objects of one side of the world (inside or outside a scope). */
interface Side {
  provider: string;
  chatModel: string;
  embedModel: string;
  credential: string;
  rule: string;
  quota: string;
  incident: string;
  team: string;
}
let inside: Side;
let outside: Side;
let widerKeyId: string;

const MULTIPART_BOUNDARY = 'ownership-boundary';

async function side(name: string): Promise<Side> {
  const provider = (
    await gw.call('POST', '/api/providers', {
      body: providerBody(name, {
        provider_type: 'mock',
        service_types: ['llm', 'embedding', 'rerank', 'speech', 'image', 'moderation'],
      }),
    })
  ).json.id as string;
  const chatModel = `${name}-chat`;
  const embedModel = `${name}-embed`;
  for (const [model_id, model_type] of [
    [chatModel, 'llm'],
    [embedModel, 'embedding'],
    [`${name}-rerank`, 'rerank'],
    [`${name}-tts`, 'tts'],
    [`${name}-stt`, 'stt'],
    [`${name}-image`, 'image'],
    [`${name}-moderation`, 'moderation'],
  ]) {
    const res = await gw.call('POST', `/api/providers/${provider}/models`, {
      body: { model_id, model_type },
    });
    expect(res.status, res.text).toBe(201);
  }
  const credential = (
    await gw.call('POST', `/api/providers/${provider}/credentials`, {
      body: { credential_type: 'api_key', credential_value: fakeProviderKey(name) },
    })
  ).json.id as string;
  const rule = (
    await gw.call('POST', '/api/providers/routing-rules', {
      body: {
        rule_name: `${name} rule`,
        rule_type: 'primary_fallback',
        service_type: 'llm',
        model_pattern: chatModel,
        provider_ids: [provider],
      },
    })
  ).json.id as string;
  const quota = (
    await gw.call('POST', '/api/quotas', {
      body: {
        provider_id: provider,
        model_id: chatModel,
        scope: 'model',
        quota_type: 'daily_requests',
        limit_value: 1000,
        action_on_exceed: 'notify',
      },
    })
  ).json.id as string;
  const incident = (
    await gw.call('POST', `/api/providers/${provider}/incidents`, {
      body: { title: `${name} outage`, severity: 'low' },
    })
  ).json.id as string;
  const team = (
    await gw.call('POST', '/api/teams', { body: { name: `${name} team`, provider_ids: [provider] } })
  ).json.id as string;
  // Usage and audit events that name this side.
  await gw.call('POST', '/v1/chat/completions', {
    body: { model: chatModel, messages: [{ role: 'user', content: 'hi' }] },
  });
  return { provider, chatModel, embedModel, credential, rule, quota, incident, team };
}

/** Path of a route aimed at the objects of `s`. */
function pathFor(route: Route, s: Side): string {
  const id = route.path.startsWith('/api/providers/credentials/')
    ? s.credential
    : route.path.startsWith('/api/keys/')
      ? widerKeyId
      : route.path.startsWith('/api/providers/routing-rules/')
        ? s.rule
        : route.path.startsWith('/api/incidents/')
          ? s.incident
          : route.path.startsWith('/api/quotas/')
            ? s.quota
            : route.path.startsWith('/api/teams/')
              ? s.team
              : s.provider;
  return route.path.replace('{model_id+}', s.chatModel).replace('{id}', id);
}

const messages = [{ role: 'user', content: 'hi' }];

/** A valid body of every route that takes one, aimed at `s`; a route missing here fails the test. */
function bodyFor(
  route: Route,
  s: Side,
): { body?: unknown; rawBody?: string; headers?: Record<string, string> } {
  const bodies: Record<string, unknown> = {
    'POST /api/providers': providerBody('ownership-new', { provider_type: 'mock' }),
    'PATCH /api/providers/{id}': { priority: 3 },
    'POST /api/providers/{id}/models': { model_id: 'ownership-sneak', model_type: 'llm' },
    'PATCH /api/providers/{id}/models/{model_id+}': { is_active: false },
    'POST /api/providers/{id}/credentials': {
      credential_type: 'api_key',
      credential_value: fakeProviderKey('o'),
    },
    'POST /api/providers/credentials/{id}/rotate': { credential_value: fakeProviderKey('rotated') },
    'POST /api/admin/credentials/rewrap': {},
    'POST /api/keys': { name: 'widen', role: 'viewer', provider_ids: [s.provider] },
    'POST /api/providers/routing-rules': {
      rule_name: 'sneak',
      rule_type: 'primary_fallback',
      service_type: 'llm',
      model_pattern: s.chatModel,
      provider_ids: [s.provider],
    },
    'PATCH /api/providers/routing-rules/{id}': { priority: 5 },
    'POST /api/providers/{id}/incidents': { title: 'sneak', severity: 'low' },
    'PATCH /api/incidents/{id}': { status: 'acknowledged' },
    'POST /api/quotas': {
      provider_id: s.provider,
      model_id: s.chatModel,
      scope: 'model',
      quota_type: 'daily_requests',
      limit_value: 1,
      action_on_exceed: 'block',
    },
    'PATCH /api/quotas/{id}': { limit_value: 1 },
    'POST /api/teams': { name: 'sneak team', provider_ids: [s.provider] },
    'PATCH /api/teams/{id}': { rate_limit_rpm: 1 },
    'POST /v1/chat/completions': { model: s.chatModel, messages },
    'POST /api/providers/chat': { model: s.chatModel, messages },
    'POST /v1/messages': { model: s.chatModel, max_tokens: 10, messages },
    'POST /v1/responses': { model: s.chatModel, input: 'hi' },
    'POST /v1/embeddings': { model: s.embedModel, input: 'hi' },
    'POST /api/providers/embeddings': { model: s.embedModel, input: 'hi' },
    'POST /v1/rerank': { model: s.chatModel.replace('-chat', '-rerank'), query: 'q', documents: ['a'] },
    'POST /api/providers/rerank': {
      model: s.chatModel.replace('-chat', '-rerank'),
      query: 'q',
      documents: ['a'],
    },
    'POST /v1/audio/speech': { model: s.chatModel.replace('-chat', '-tts'), input: 'hi', voice: 'alloy' },
    'POST /v1/messages/count_tokens': { model: s.chatModel, messages },
    'POST /v1/images/generations': { model: s.chatModel.replace('-chat', '-image'), prompt: 'hi' },
    'POST /v1/moderations': { model: s.chatModel.replace('-chat', '-moderation'), input: 'hi' },
    // Another side's team namespace: a scoped key reaches only its own key's and team's.
    'DELETE /api/cache': { namespace: s.team },
  };
  const key = routeKey(route);
  if (key === 'POST /v1/audio/transcriptions') {
    const model = s.chatModel.replace('-chat', '-stt');
    const rawBody = [
      `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n`,
      `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF\r\n`,
      `--${MULTIPART_BOUNDARY}--\r\n`,
    ].join('');
    return { rawBody, headers: { 'content-type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` } };
  }
  if (!route.body) return {};
  if (!(key in bodies)) throw new Error(`no sample body for ${key}: add one to the ownership matrix`);
  return { body: bodies[key] };
}

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
  inside = await side('own');
  outside = await side('other');
  widerKeyId = (await mintKey(gw, { role: 'viewer', name: 'wider key' })).id;
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
