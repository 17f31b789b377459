import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Route, routeKey } from '../../lib/routes.js';
import { providerBody, startTestGateway, type TestGateway } from '../support/runtime.js';

const TABLE_NAME = 'fuzz-table-name-7f3a';
const MB = 1024 * 1024;

/** A valid body per route, for field-level mutations; routes without one get the generic attacks. */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/providers': providerBody('fuzz-valid'),
  'PATCH /api/providers/{id}': { priority: 3 },
  'POST /api/providers/{id}/models': { model_id: 'fuzz-model-2', model_type: 'llm' },
  'PATCH /api/providers/{id}/models/{model_id+}': { context_window: 1000 },
};

const HOSTILE_VALUES: unknown[] = [
  12345,
  -1,
  1e308,
  true,
  null,
  [],
  {},
  [1, 2, 3],
  '',
  'a\u0000b',
  'x'.repeat(MB),
  '#pk = :v OR attribute_exists(sk)',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '../../etc/passwd',
  { S: 'injected' },
  '\ud800',
];

/** Raw bodies that are not the JSON object a route expects. */
const RAW_BODIES: Array<[string, string]> = [
  ['truncated JSON', '{"name": "x"'],
  ['bare word', 'nul'],
  ['array', '[]'],
  ['string', '"provider"'],
  ['number', '42'],
  ['null', 'null'],
  ['NUL byte JSON', '{"name":"a\u0000"}'],
  ['trailing garbage', '{"a":1} x'],
  ['__proto__ key', '{"__proto__":{"role":"admin"},"name":"p"}'],
  ['constructor key', '{"constructor":{"prototype":{"polluted":true}}}'],
  ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['over the size limit', JSON.stringify({ name: 'x'.repeat(2 * MB) })],
];

let gw: TestGateway;
let providerId: string;
let failures: string[] = [];
let tried = 0;
let fiveHundreds = 0;

function pathFor(route: Route): string {
  return route.path.replace('{id}', providerId).replace('{model_id+}', 'fuzz-model');
}

function checkEnvelope(label: string, res: { status: number; json: any; text: string }) {
  tried++;
  if (res.status >= 500) fiveHundreds++;
  const ok =
    res.status >= 400 &&
    res.status < 500 &&
    typeof res.json?.error?.code === 'string' &&
    typeof res.json?.error?.message === 'string' &&
    typeof res.json?.error?.request_id === 'string' &&
    // Our envelope alone; `/v1/messages` adds Anthropic's top-level `type: "error"` for its SDK.
    Object.keys(res.json).filter((k) => !(k === 'type' && res.json.type === 'error')).length === 1 &&
    !res.text.includes(TABLE_NAME) &&
    !/\bat .+:\d+:\d+/.test(res.text) &&
    !res.text.includes(gw.adminKey);
  if (!ok) failures.push(`${label} -> ${res.status} ${res.text.slice(0, 200)}`);
}

beforeAll(async () => {
  gw = await startTestGateway({ TABLE_NAME });
  providerId = (await gw.call('POST', '/api/providers', { body: providerBody('fuzz-target') })).json.id;
  await gw.call('POST', `/api/providers/${providerId}/models`, {
    body: { model_id: 'fuzz-model', model_type: 'llm' },
  });
});
afterAll(async () => {
  await gw.stop();
});

describe('bad input: every route that takes a body', () => {
  const bodyRoutes = ROUTES.filter((r) => r.body);

  it('answers every malformed body with a 4xx envelope, no 5xx, and stores nothing', async () => {
    failures = [];
    const before = await snapshot();
    for (const route of bodyRoutes) {
      const key = routeKey(route);
      for (const [name, raw] of RAW_BODIES) {
        checkEnvelope(
          `${key} ${name}`,
          await gw.call(route.method, pathFor(route), {
            rawBody: raw,
            headers: { 'content-type': 'application/json' },
          }),
        );
      }
      checkEnvelope(`${key} no body`, await gw.call(route.method, pathFor(route), { rawBody: '' }));
      checkEnvelope(
        `${key} text/plain`,
        await gw.call(route.method, pathFor(route), {
          rawBody: '{}',
          headers: { 'content-type': 'text/plain' },
        }),
      );
      const valid = VALID_BODIES[key];
      if (!valid) continue;
      checkEnvelope(
        `${key} unknown field`,
        await gw.call(route.method, pathFor(route), {
          body: { ...valid, surprise: 1 },
        }),
      );
      for (const field of Object.keys(valid)) {
        for (const value of HOSTILE_VALUES) {
          const res = await gw.call(route.method, pathFor(route), { body: { ...valid, [field]: value } });
          // Some hostile values are valid for free-text fields; those may succeed, never 5xx.
          if (res.status < 400) continue;
          checkEnvelope(`${key} ${field}=${JSON.stringify(value)?.slice(0, 30)}`, res);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(fiveHundreds).toBe(0);
    const after = await snapshot();
    expect(after.target).toEqual(before.target);
    expect(after.names.filter((n) => !before.names.includes(n)).every((n) => n === 'fuzz-valid')).toBe(true);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(tried).toBeGreaterThan(100);
    // `REPORT_FIGURES=1 npx vitest run test/integration/bad-input.test.ts` prints the figures for docs/reliability.md.
    if (process.env.REPORT_FIGURES)
      console.info(`bad inputs tried: ${tried} over ${bodyRoutes.length} body routes; 5xx: ${fiveHundreds}`);
  });

  it('refuses ids with DynamoDB expression characters with a 404 envelope', async () => {
    for (const id of ['%23pk', ':pk', 'prov_x%20OR%201%3D1', '%00', '..%2F..', `prov_${'a'.repeat(500)}`]) {
      for (const route of ROUTES.filter((r) => r.path.includes('{id}'))) {
        const res = await gw.call(route.method, route.path.replace('{id}', id).replace('{model_id+}', 'm'), {
          ...(route.body ? { body: VALID_BODIES[routeKey(route)] ?? {} } : {}),
        });
        expect([400, 404, 405, 422], `${routeKey(route)} ${id}`).toContain(res.status);
        expect(res.json.error.code).toBeTypeOf('string');
      }
    }
  });

  it('refuses unknown and repeated query parameters with a 400 envelope', async () => {
    for (const route of ROUTES.filter((r) => r.query)) {
      const res = await gw.call(route.method, `${pathFor(route)}?surprise=1`);
      expect(res.status, routeKey(route)).toBe(400);
      expect(res.json.error.code).toBe('invalid_query');
    }
  });
});

describe('mass assignment: read-only fields cannot be written', () => {
  it.each([
    ['id', 'prov_00000000000000000000000000'],
    ['version', 99],
    ['created_at', '2000-01-01T00:00:00.000Z'],
    ['updated_at', '2000-01-01T00:00:00.000Z'],
    ['health_status', 'healthy'],
    ['provider_type', 'anthropic'],
    ['last_actor', 'someone'],
    ['pk', 'PROVIDER#other'],
    ['ciphertext', 'AAAA'],
    ['usage_total', 1],
  ])('a provider PATCH naming %s is refused and changes nothing', async (field, value) => {
    const before = (await gw.call('GET', `/api/providers/${providerId}`)).json;
    const body = field === 'version' ? { version: value, priority: 9 } : { [field]: value, priority: 9 };
    const res = await gw.call('PATCH', `/api/providers/${providerId}`, { body });
    expect([409, 422]).toContain(res.status);
    expect((await gw.call('GET', `/api/providers/${providerId}`)).json).toEqual(before);
  });

  it.each([
    ['provider_id', 'prov_00000000000000000000000000'],
    ['model_id', 'other'],
    ['pricing_history', []],
    ['created_at', '2000-01-01T00:00:00.000Z'],
  ])('a model PATCH naming %s is refused and changes nothing', async (field, value) => {
    const before = (await gw.call('GET', `/api/providers/${providerId}/models/fuzz-model`)).json;
    const res = await gw.call('PATCH', `/api/providers/${providerId}/models/fuzz-model`, {
      body: { [field]: value, context_window: 5 },
    });
    expect(res.status).toBe(422);
    expect((await gw.call('GET', `/api/providers/${providerId}/models/fuzz-model`)).json).toEqual(before);
  });
});

async function snapshot() {
  const target = (await gw.call('GET', `/api/providers/${providerId}`)).json;
  const list = await gw.call('GET', '/api/providers?limit=100');
  return { target, names: list.json.data.map((p: { name: string }) => p.name) as string[] };
}
