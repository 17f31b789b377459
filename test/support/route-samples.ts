/**
 * Sample objects and valid requests for every route of the route table: the access matrices and the
 * write-grant checks call each route with them. A route with a body needs a sample here.
 */
import { expect } from 'vitest';
import { type Route, routeKey } from '../../lib/routes.js';
import { fakeProviderKey } from '../integration/credentials-fixtures.js';
import { providerBody, type TestGateway } from './runtime.js';

/** The objects of one side of the world (inside or outside a scope). */
export interface Side {
  provider: string;
  chatModel: string;
  embedModel: string;
  credential: string;
  rule: string;
  quota: string;
  incident: string;
  team: string;
  /** An API key id the `/api/keys/{id}` routes aim at. */
  keyId: string;
}

const MULTIPART_BOUNDARY = 'ownership-boundary';

/**
 * Creates one side through the admin API: a mock provider with a model of every type, a credential,
 * a routing rule, a quota, an incident, a team, and a chat call (usage and audit events naming it).
 * `keyId` is the key the `/api/keys/{id}` routes aim at.
 */
export async function seedSide(gw: TestGateway, name: string, keyId = ''): Promise<Side> {
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
  return { provider, chatModel, embedModel, credential, rule, quota, incident, team, keyId };
}

/** Path of a route aimed at the objects of `s`. */
export function pathFor(route: Route, s: Side): string {
  const id = route.path.startsWith('/api/providers/credentials/')
    ? s.credential
    : route.path.startsWith('/api/keys/')
      ? s.keyId
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
export function bodyFor(
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
    'PATCH /api/keys/{id}': { rate_limit_rpm: 1 },
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
    // Another side's team namespace: a scoped key reaches only its own key's and team's.
    'DELETE /api/cache': { namespace: s.team },
    'POST /v1/images/generations': { model: s.chatModel.replace('-chat', '-image'), prompt: 'hi' },
    'POST /v1/moderations': { model: s.chatModel.replace('-chat', '-moderation'), input: 'hi' },
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

/** A seeded world every route of the table can be called against (see {@link seedWorld}). */
export interface SampleWorld {
  side: Side;
  /** A response stored by `POST /v1/responses`. */
  responseId: string;
  /** The request id of that response's call: the `/api/logs/{request_id}` routes aim at its record. */
  requestId: string;
  /** The sample path of a route: aimed at `side` and the stored response; provider deletes forced. */
  pathOf(route: Route): string;
}

/**
 * Seeds one side (with a viewer key for the `/api/keys/{id}` routes) and a stored response, and
 * waits for the change stream to settle.
 */
export async function seedWorld(gw: TestGateway, name: string): Promise<SampleWorld> {
  const minted = await gw.call('POST', '/api/keys', { body: { name: `${name} target`, role: 'viewer' } });
  expect(minted.status, minted.text).toBe(201);
  const side = await seedSide(gw, name, minted.json.id);
  const response = await gw.call('POST', '/v1/responses', { body: { model: side.chatModel, input: 'hi' } });
  expect(response.status, response.text).toBe(200);
  const responseId = response.json.id as string;
  const requestId = response.headers.get('x-request-id')!;
  await gw.runtime.idle();
  await gw.runtime.streams!.idle();
  return {
    side,
    responseId,
    requestId,
    pathOf: (route) =>
      route.path.startsWith('/v1/responses/')
        ? route.path.replace('{id}', responseId)
        : route.path.includes('{request_id}')
          ? route.path.replace('{request_id}', requestId)
          : pathFor(route, side) + (routeKey(route) === 'DELETE /api/providers/{id}' ? '?force=true' : ''),
  };
}
