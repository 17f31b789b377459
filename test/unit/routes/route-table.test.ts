import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildOpenApi } from '../../../lib/openapi.js';
import { ROUTES, routeKey } from '../../../lib/routes.js';
import { matchRoute } from '../../../local/router.js';

describe('route table: one list of every endpoint', () => {
  it('names each endpoint once', () => {
    const keys = ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('points every route at a handler module that exports `handler`', async () => {
    for (const route of ROUTES) {
      const file = new URL(`../../../functions/${route.fn}.ts`, import.meta.url);
      expect(existsSync(file), route.fn).toBe(true);
      const mod = (await import(file.href)) as { handler?: unknown };
      expect(typeof mod.handler, route.fn).toBe('function');
    }
  });

  it('is what the local runtime serves: each route matches itself', () => {
    for (const route of ROUTES) {
      const path = route.path.replace(/\{[^}]+\}/g, 'prov_01m8bwjkr672zknf0jar5m8r48');
      const match = matchRoute(route.method, path);
      expect(match.kind === 'route' && routeKey(match.route), routeKey(route)).toBe(routeKey(route));
    }
  });

  it('prefers static segments over parameters, as API Gateway does', () => {
    const match = matchRoute('GET', '/api/providers/models');
    expect(match.kind === 'route' && match.route.fn).toBe('models/list');
  });

  it('keeps model ids with slashes whole in a greedy parameter', () => {
    const match = matchRoute('GET', '/api/providers/prov_x/models/meta-llama/Llama-3.1-8B');
    expect(match.kind === 'route' && match.pathParameters).toEqual({
      id: 'prov_x',
      model_id: 'meta-llama/Llama-3.1-8B',
    });
  });
});

describe('openapi: docs/openapi.yaml describes the same endpoints', () => {
  it('lists exactly the routes of the route table', () => {
    const doc = parse(readFileSync(new URL('../../../docs/openapi.yaml', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const routed = ROUTES.map((r) => `${r.method} ${r.path.replace(/\{(\w+)\+\}/g, '{$1}')}`);
    expect(documented.sort()).toEqual(routed.sort());
  });

  it('gives every operation its own operationId (client generators need them unique)', () => {
    const doc = buildOpenApi() as { paths: Record<string, Record<string, { operationId: string }>> };
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is up to date with the schemas (run `npm run openapi` after changing them)', () => {
    const current = parse(readFileSync(new URL('../../../docs/openapi.yaml', import.meta.url), 'utf8'));
    expect(current).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
  });
});
