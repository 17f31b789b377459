import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../lib/routes.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';
import { type MintedKey, mintKey } from './access-fixtures.js';
import { fakeProviderKey } from './credentials-fixtures.js';

/**
 * Mutating routes that change no audited object, each with the reason. Any other mutating route of
 * the route table (including routes added later) must have a scenario below, or this test fails.
 */
const NOT_AUDITED: Record<string, string> = {
  'POST /v1/chat/completions': 'AI operation: writes usage counters and rate windows only',
  'POST /api/providers/chat': 'AI operation: writes usage counters and rate windows only',
  'POST /v1/messages': 'AI operation: writes usage counters and rate windows only',
  'POST /v1/embeddings': 'AI operation: writes usage counters and rate windows only',
  'POST /api/providers/embeddings': 'AI operation: writes usage counters and rate windows only',
  'POST /v1/rerank': 'AI operation: writes usage counters and rate windows only',
  'POST /api/providers/rerank': 'AI operation: writes usage counters and rate windows only',
  'POST /v1/audio/speech': 'AI operation: writes usage counters and rate windows only',
  'POST /v1/images/generations': 'AI operation: writes usage counters and rate windows only',
  'POST /v1/moderations': 'AI operation: writes usage counters and rate windows only',
  'POST /v1/messages/count_tokens': 'AI operation: writes rate windows only (a count records no usage)',
  'POST /v1/audio/transcriptions': 'AI operation: writes usage counters and rate windows only',
  'POST /v1/responses':
    "AI operation: writes usage counters, rate windows and the caller's own stored response (data, not configuration); another key's reference is refused and audited as out_of_scope",
  'DELETE /v1/responses/{id}':
    "deletes the caller's own stored response (data, not configuration); another key's attempt is refused and audited as out_of_scope",
  'POST /api/providers/{id}/health-check':
    'writes health history and derived health state (not audited); an incident it opens is audited as the system actor',
  'POST /api/admin/credentials/rewrap':
    'changes a credential only after a master-key rotation; a re-wrap is audited as credential.updated (master_key_id before/after), see test/unit/audit',
};

type Res = Awaited<ReturnType<TestGateway['call']>>;
interface Expected {
  res: Res;
  target_type: string;
  target_id: string;
  action: string;
}

let gw: TestGateway;
let admin: MintedKey;
let providerId: string;
const ids: Record<string, string> = {};

const as = (method: string, path: string, body?: unknown) =>
  gw.call(method, path, { key: admin.key, ...(body === undefined ? {} : { body }) });

async function newProvider(name: string): Promise<string> {
  const res = await as('POST', '/api/providers', providerBody(name, { provider_type: 'mock' }));
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}
async function newModel(modelId: string): Promise<void> {
  const res = await as('POST', `/api/providers/${providerId}/models`, {
    model_id: modelId,
    model_type: 'llm',
  });
  expect(res.status, res.text).toBe(201);
}
async function newCredential(): Promise<string> {
  const res = await as('POST', `/api/providers/${providerId}/credentials`, {
    credential_type: 'api_key',
    credential_value: fakeProviderKey('audit'),
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}
const ruleBody = (name: string) => ({
  rule_name: name,
  rule_type: 'primary_fallback',
  service_type: 'llm',
  model_pattern: 'audit-*',
  targets: [{ provider_id: providerId }],
});
async function newRule(name: string): Promise<string> {
  const res = await as('POST', '/api/providers/routing-rules', ruleBody(name));
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}
async function newQuota(): Promise<string> {
  const res = await as('POST', '/api/quotas', {
    provider_id: providerId,
    quota_type: 'monthly_cost',
    limit_value: 10,
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}

/** One scenario per audited mutating route: the call, and the event it must produce. */
const SCENARIOS: Record<string, () => Promise<Expected>> = {
  'DELETE /api/cache': async () => {
    const res = await as('DELETE', '/api/cache', { namespace: 'global', model: 'audit-cached' });
    return { res, target_type: 'cache', target_id: 'global:audit-cached', action: 'cache.purged' };
  },
  'POST /api/providers': async () => {
    const res = await as('POST', '/api/providers', providerBody('audit-created', { provider_type: 'mock' }));
    return { res, target_type: 'provider', target_id: res.json?.id, action: 'provider.created' };
  },
  'PATCH /api/providers/{id}': async () => {
    const res = await as('PATCH', `/api/providers/${providerId}`, { priority: 7 });
    return { res, target_type: 'provider', target_id: providerId, action: 'provider.updated' };
  },
  'DELETE /api/providers/{id}': async () => {
    const id = await newProvider('audit-doomed');
    const res = await as('DELETE', `/api/providers/${id}`);
    return { res, target_type: 'provider', target_id: id, action: 'provider.deleted' };
  },
  'POST /api/providers/{id}/models': async () => {
    const res = await as('POST', `/api/providers/${providerId}/models`, {
      model_id: 'audit-new',
      model_type: 'llm',
    });
    return { res, target_type: 'model', target_id: `${providerId}:audit-new`, action: 'model.created' };
  },
  'PATCH /api/providers/{id}/models/{model_id+}': async () => {
    const res = await as('PATCH', `/api/providers/${providerId}/models/audit-base`, { context_window: 8192 });
    return { res, target_type: 'model', target_id: `${providerId}:audit-base`, action: 'model.updated' };
  },
  'DELETE /api/providers/{id}/models/{model_id+}': async () => {
    await newModel('audit-doomed');
    const res = await as('DELETE', `/api/providers/${providerId}/models/audit-doomed`);
    return { res, target_type: 'model', target_id: `${providerId}:audit-doomed`, action: 'model.deleted' };
  },
  'POST /api/providers/{id}/credentials': async () => {
    const res = await as('POST', `/api/providers/${providerId}/credentials`, {
      credential_type: 'api_key',
      credential_value: fakeProviderKey('audit'),
    });
    return { res, target_type: 'credential', target_id: res.json?.id, action: 'credential.created' };
  },
  'POST /api/providers/credentials/{id}/rotate': async () => {
    const res = await as('POST', `/api/providers/credentials/${ids.credential}/rotate`, {
      credential_value: fakeProviderKey('audit-rotated'),
    });
    return { res, target_type: 'credential', target_id: ids.credential!, action: 'credential.rotated' };
  },
  'DELETE /api/providers/credentials/{id}': async () => {
    const id = await newCredential();
    const res = await as('DELETE', `/api/providers/credentials/${id}`);
    return { res, target_type: 'credential', target_id: id, action: 'credential.revoked' };
  },
  'POST /api/keys': async () => {
    const res = await as('POST', '/api/keys', { name: 'audit viewer', role: 'viewer' });
    return { res, target_type: 'api_key', target_id: res.json?.id, action: 'api_key.created' };
  },
  'DELETE /api/keys/{id}': async () => {
    const key = await mintKey(gw, { role: 'viewer' }, admin.key);
    const res = await as('DELETE', `/api/keys/${key.id}`);
    return { res, target_type: 'api_key', target_id: key.id, action: 'api_key.revoked' };
  },
  'PATCH /api/keys/{id}': async () => {
    const key = await mintKey(gw, { role: 'viewer' }, admin.key);
    const res = await as('PATCH', `/api/keys/${key.id}`, { name: 'audit renamed', rate_limit_rpm: 30 });
    return { res, target_type: 'api_key', target_id: key.id, action: 'api_key.updated' };
  },
  'POST /api/keys/{id}/rotate': async () => {
    const key = await mintKey(gw, { role: 'viewer' }, admin.key);
    const res = await as('POST', `/api/keys/${key.id}/rotate`);
    return { res, target_type: 'api_key', target_id: key.id, action: 'api_key.rotated' };
  },
  'POST /api/providers/routing-rules': async () => {
    const res = await as('POST', '/api/providers/routing-rules', ruleBody('audit created'));
    return { res, target_type: 'routing_rule', target_id: res.json?.id, action: 'routing_rule.created' };
  },
  'PATCH /api/providers/routing-rules/{id}': async () => {
    const res = await as('PATCH', `/api/providers/routing-rules/${ids.rule}`, { priority: 3 });
    return { res, target_type: 'routing_rule', target_id: ids.rule!, action: 'routing_rule.updated' };
  },
  'DELETE /api/providers/routing-rules/{id}': async () => {
    const id = await newRule('audit doomed');
    const res = await as('DELETE', `/api/providers/routing-rules/${id}`);
    return { res, target_type: 'routing_rule', target_id: id, action: 'routing_rule.deleted' };
  },
  'POST /api/providers/{id}/incidents': async () => {
    const res = await as('POST', `/api/providers/${providerId}/incidents`, {
      title: 'audit',
      severity: 'low',
    });
    return { res, target_type: 'incident', target_id: res.json?.id, action: 'incident.created' };
  },
  'PATCH /api/incidents/{id}': async () => {
    const res = await as('PATCH', `/api/incidents/${ids.incident}`, { status: 'acknowledged' });
    return { res, target_type: 'incident', target_id: ids.incident!, action: 'incident.acknowledged' };
  },
  'POST /api/quotas': async () => {
    const res = await as('POST', '/api/quotas', {
      provider_id: providerId,
      quota_type: 'daily_requests',
      limit_value: 5,
    });
    return { res, target_type: 'quota', target_id: res.json?.id, action: 'quota.created' };
  },
  'PATCH /api/quotas/{id}': async () => {
    const res = await as('PATCH', `/api/quotas/${ids.quota}`, { limit_value: 20 });
    return { res, target_type: 'quota', target_id: ids.quota!, action: 'quota.updated' };
  },
  'DELETE /api/quotas/{id}': async () => {
    const id = await newQuota();
    const res = await as('DELETE', `/api/quotas/${id}`);
    return { res, target_type: 'quota', target_id: id, action: 'quota.deleted' };
  },
  'POST /api/teams': async () => {
    const res = await as('POST', '/api/teams', { name: 'audit team created' });
    return { res, target_type: 'team', target_id: res.json?.id, action: 'team.created' };
  },
  'PATCH /api/teams/{id}': async () => {
    const res = await as('PATCH', `/api/teams/${ids.team}`, { rate_limit_rpm: 60 });
    return { res, target_type: 'team', target_id: ids.team!, action: 'team.updated' };
  },
  'DELETE /api/teams/{id}': async () => {
    const id = (await as('POST', '/api/teams', { name: 'audit team doomed' })).json.id;
    const res = await as('DELETE', `/api/teams/${id}`);
    return { res, target_type: 'team', target_id: id, action: 'team.deleted' };
  },
};

beforeAll(async () => {
  gw = await startTestGateway({ HEALTH_SCHEDULE: 'off' });
  admin = await mintKey(gw, { role: 'admin', name: 'audit actor' });
  providerId = await newProvider('audit-base');
  await newModel('audit-base');
  ids.credential = await newCredential();
  ids.rule = await newRule('audit base');
  ids.quota = await newQuota();
  ids.team = (await as('POST', '/api/teams', { name: 'audit team' })).json.id;
  const incident = await as('POST', `/api/providers/${providerId}/incidents`, {
    title: 'base',
    severity: 'low',
  });
  ids.incident = incident.json.id;
});
afterAll(async () => {
  await gw.stop();
});

describe('audit: every mutating route of the route table', () => {
  const mutating = ROUTES.filter((r) => r.method !== 'GET').map(routeKey);

  it('has a scenario or a stated reason for each mutating route, and no stale entries', () => {
    const uncovered = mutating.filter((key) => !SCENARIOS[key] && !NOT_AUDITED[key]);
    expect(uncovered).toEqual([]);
    const stale = [...Object.keys(SCENARIOS), ...Object.keys(NOT_AUDITED)].filter(
      (k) => !mutating.includes(k),
    );
    expect(stale).toEqual([]);
  });

  it.each(mutating.filter((key) => SCENARIOS[key]))(
    '%s produces an audit event naming actor, target and request',
    async (key) => {
      const expected = await SCENARIOS[key]!();
      expect(expected.res.status, expected.res.text).toBeLessThan(300);
      const requestId = expected.res.headers.get('x-request-id');
      await gw.runtime.streams!.idle();
      const query = new URLSearchParams({ target_type: expected.target_type, target_id: expected.target_id });
      const page = await gw.call('GET', `/api/audit?${query}`);
      expect(page.status, page.text).toBe(200);
      const event = page.json.data.find((e: { request_id: string }) => e.request_id === requestId);
      expect(event, `${key}: ${JSON.stringify(page.json.data)}`).toMatchObject({
        actor_key_id: admin.id,
        action: expected.action,
        target_type: expected.target_type,
        target_id: expected.target_id,
        request_id: requestId,
        source_ip: expect.stringMatching(/\S/),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    },
  );
});
