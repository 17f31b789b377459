import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { chunk } from '../../infra/constructs/alarms.js';
import { envelopeTemplate, GATEWAY_ERRORS } from '../../infra/constructs/gateway-responses.js';
import { GatewayTable } from '../../infra/constructs/gateway-table.js';
import { stackPropsFromContext } from '../../infra/gateway-app.js';
import { constructIdOf } from '../../infra/route-areas.js';
import {
  authorizerNeeds,
  consumerNeeds,
  consumerWrites,
  functionsOf,
  needsOf,
  scheduledHealthCheckNeeds,
  writesOf,
} from '../../infra/route-needs.js';
import { pathParameters } from '../../lib/routes/path-template.js';
import { ROUTES, type Route, routeKey } from '../../lib/routes.js';
import { STREAM_CONSUMERS } from '../../lib/streams/consumers.js';

const route = (over: Partial<Route>): Route => ({
  ...ROUTES[0]!,
  writes: over.method && over.method !== 'GET' ? [] : undefined,
  ...over,
});

describe('needsOf: permissions derived from a route', () => {
  it('gives GET routes table reads only', () => {
    expect([
      ...needsOf(route({ method: 'GET', tag: 'providers', access: 'read', writes: undefined })),
    ]).toEqual(['tableRead']);
  });

  it('gives other methods the item kinds they declare, and nothing when they declare none', () => {
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE'] as const) {
      const declared = route({ method, tag: 'providers', access: 'write', writes: ['provider'] });
      expect(writesOf(declared), method).toEqual(['provider']);
      expect(needsOf(declared).has('tableWrite'), method).toBe(true);
      expect(needsOf({ ...declared, writes: [] }).has('tableWrite'), method).toBe(false);
    }
  });

  it('fails, naming the route, when a write route declares no writes or a read route declares some', () => {
    expect(() => writesOf(route({ method: 'POST', path: '/api/new-thing', writes: undefined }))).toThrow(
      /POST \/api\/new-thing declares no `writes`/,
    );
    expect(() => writesOf(route({ method: 'GET', path: '/api/x', writes: ['provider'] }))).toThrow(
      /GET \/api\/x is a read route and may not write/,
    );
  });

  it('declares writes on every route of the table (a route added without them fails here)', () => {
    const missing = ROUTES.filter((r) => r.method !== 'GET' && r.writes === undefined).map(routeKey);
    expect(missing).toEqual([]);
    expect(ROUTES.filter((r) => r.method === 'GET' && r.writes !== undefined).map(routeKey)).toEqual([]);
  });

  it('gives the pepper only to the functions that mint a key secret, not to listing, reading or revoking keys', () => {
    const withPepper = [...functionsOf(ROUTES)]
      .filter(([, f]) => f.needs.has('apiKeyPepper'))
      .map(([fn]) => fn);
    expect(withPepper).toEqual(['keys/create', 'keys/rotate']);
    expect(needsOf(route({ method: 'GET', tag: 'keys', access: 'secrets' })).has('apiKeyPepper')).toBe(false);
  });

  it('lets the on-demand health check use credentials the way AI calls do', () => {
    const check = needsOf(route({ method: 'POST', tag: 'health', access: 'write' }));
    const history = needsOf(route({ method: 'GET', tag: 'health', access: 'read' }));
    expect(check.has('credentialDecrypt') && check.has('credentialSecretRef')).toBe(true);
    expect(history.has('credentialDecrypt') || history.has('credentialSecretRef')).toBe(false);
  });

  it('lets credential writes wrap data keys, credential reads touch no key, AI calls only unwrap', () => {
    const write = needsOf(route({ method: 'POST', tag: 'credentials', access: 'secrets' }));
    const read = needsOf(route({ method: 'GET', tag: 'credentials', access: 'read' }));
    const invoke = needsOf(route({ method: 'POST', tag: 'ai', access: 'invoke' }));
    expect(write.has('credentialEnvelope')).toBe(true);
    expect(read.has('credentialEnvelope') || read.has('credentialDecrypt')).toBe(false);
    expect(invoke.has('credentialDecrypt') && invoke.has('credentialSecretRef')).toBe(true);
    expect(invoke.has('credentialEnvelope')).toBe(false);
  });
});

describe('functionsOf: one function per handler module', () => {
  it('merges routes that share a module and unions their needs', () => {
    const get = route({ method: 'GET', path: '/a', fn: 'x/shared', tag: 'a', writes: undefined });
    const post = route({ method: 'POST', path: '/a', fn: 'x/shared', tag: 'a', writes: ['team'] });
    const other = route({ method: 'GET', path: '/b', fn: 'a/other', tag: 'b', writes: undefined });
    const byFn = functionsOf([get, post, other]);
    expect([...byFn.keys()]).toEqual(['a/other', 'x/shared']);
    expect(byFn.get('x/shared')?.routes).toEqual([get, post]);
    expect(byFn.get('x/shared')?.needs.has('tableWrite')).toBe(true);
    expect(byFn.get('a/other')?.needs.has('tableWrite')).toBe(false);
    expect([...(byFn.get('x/shared')?.writes ?? [])]).toEqual(['team']);
  });

  it('gives every handler module of ROUTES a distinct construct id', () => {
    const ids = [...functionsOf(ROUTES).keys()].map(constructIdOf);
    expect(new Set(ids).size).toBe(ids.length);
    expect(constructIdOf('providers/create')).toBe('ProvidersCreate');
  });
});

describe('REST API helpers', () => {
  it('finds plain and greedy path parameters', () => {
    expect(pathParameters('/api/providers/{id}/models/{model_id+}')).toEqual(['id', 'model_id']);
    expect(pathParameters('/health')).toEqual([]);
  });

  it('renders every gateway error as the JSON envelope once API Gateway fills in $context', () => {
    for (const error of GATEWAY_ERRORS) {
      const body = envelopeTemplate(error)
        .replace('$context.requestId', 'req-1')
        .replace('$context.error.messageString', '"Invalid request body"');
      expect(JSON.parse(body), error.type.responseType).toEqual({
        error: { code: error.code, message: expect.any(String), request_id: 'req-1' },
      });
    }
  });

  it('splits alarm metrics into groups the metric-math limit allows', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 10)).toEqual([]);
  });
});

describe('needsOf: declared uses', () => {
  it('derives Bedrock, credential decryption and event publishing from `uses`', () => {
    const needs = needsOf(route({ method: 'GET', tag: 'x', access: 'read', uses: ['bedrock', 'events'] }));
    expect([...needs].sort()).toEqual(['bedrock', 'events', 'tableRead']);
    const decrypt = needsOf(
      route({ method: 'GET', tag: 'x', access: 'read', uses: ['credentials:decrypt'] }),
    );
    expect(decrypt.has('credentialDecrypt') && decrypt.has('credentialSecretRef')).toBe(true);
    expect(needsOf(route({ method: 'GET', tag: 'x', access: 'read', uses: undefined })).size).toBe(1);
  });

  it('declares Bedrock on every AI call Bedrock can serve, and publishing on the incident writers, the on-demand check and the quota writers', () => {
    // No Bedrock model moderates: moderation is the one AI call without Bedrock.
    for (const r of ROUTES.filter((x) => x.tag === 'ai' && x.method === 'POST'))
      expect(needsOf(r).has('bedrock'), r.path).toBe(r.path !== '/v1/moderations');
    const publishers = ROUTES.filter((r) => needsOf(r).has('events'))
      .map((r) => r.fn)
      .sort();
    // A quota's create and update evaluate its window, which may announce a crossing or threshold.
    expect(publishers).toEqual([
      'health/check',
      'incidents/create',
      'incidents/update',
      'quotas/create',
      'quotas/update',
    ]);
  });
});

describe('needs of the functions outside the route table', () => {
  it('gives each stream consumer the kinds it declares, the quota enforcer the event bus', () => {
    expect(
      [...consumerNeeds(STREAM_CONSUMERS.find((c) => c.fn === 'streams/quota-enforcer')!)].sort(),
    ).toEqual(['events', 'tableRead', 'tableWrite']);
    expect(consumerWrites(STREAM_CONSUMERS.find((c) => c.fn === 'streams/audit-writer')!)).toEqual([
      'auditEvent',
      'auditHead',
      'auditSource',
    ]);
    for (const consumer of STREAM_CONSUMERS) expect(() => consumerWrites(consumer)).not.toThrow();
    expect(() => consumerNeeds({ fn: 'streams/some-new-consumer' })).toThrow(
      /stream consumer streams\/some-new-consumer declares no writes: add `writes` to its STREAM_CONSUMERS entry/,
    );
  });

  it('lets the authorizer read and stamp last use on key records, never write the table at large', () => {
    expect([...authorizerNeeds()].sort()).toEqual(['apiKeyLastUsed', 'apiKeyPepper', 'tableRead']);
  });

  it('refuses an UpdateItem grant whose key prefix is empty or holds an IAM wildcard', () => {
    const table = new GatewayTable(new Stack(new App()), 'Storage');
    const fn = { role: { addToPrincipalPolicy: () => ({ statementAdded: true }) } } as never;
    for (const prefixes of [[], [''], ['APIKEY*'], ['A?B#']])
      expect(() => table.grantUpdateItems(fn, prefixes), JSON.stringify(prefixes)).toThrow(/literal/);
    expect(() => table.grantUpdateItems(fn, ['APIKEY_RECORD#'])).not.toThrow();
  });

  it('lets the scheduled health check probe with credentials and publish', () => {
    const needs = scheduledHealthCheckNeeds();
    for (const n of ['bedrock', 'credentialDecrypt', 'credentialSecretRef', 'events', 'tableWrite'] as const)
      expect(needs.has(n), n).toBe(true);
    expect(needs.has('credentialEnvelope')).toBe(false);
  });
});

describe('stack props from CDK context', () => {
  const from = (ctx: Record<string, unknown>) => stackPropsFromContext((k) => ctx[k]);

  it('reads the health interval and the concurrency switch as the CLI passes them (strings)', () => {
    expect(from({})).toEqual({});
    expect(from({ healthCheckInterval: '600', reserveConcurrency: 'false' })).toEqual({
      healthCheckInterval: 600,
      reserveConcurrency: false,
    });
    expect(from({ reserveConcurrency: true })).toEqual({ reserveConcurrency: true });
  });

  it('refuses values it cannot read', () => {
    expect(() => from({ healthCheckInterval: 'often' })).toThrow(/healthCheckInterval/);
    expect(() => from({ reserveConcurrency: 'yes' })).toThrow(/reserveConcurrency/);
  });
});
