import { describe, expect, it } from 'vitest';
import { MAX_FUNCTIONS_PER_AREA, prefixesOf, resourceOwners, routeAreas } from '../../infra/route-areas.js';
import { ROUTES, type Route } from '../../lib/routes.js';

const route = (tag: string, fn: string, path: string): Route => ({
  method: 'GET',
  path,
  fn,
  tag,
  access: 'read',
  streams: false,
  summary: fn,
  successStatus: 200,
});

describe('route areas', () => {
  it('builds every handler module of the route table in exactly one area', () => {
    const fns = routeAreas(ROUTES).flatMap((a) => a.fns);
    expect(fns.sort()).toEqual([...new Set(ROUTES.map((r) => r.fn))].sort());
    expect(routeAreas(ROUTES).flatMap((a) => a.routes)).toHaveLength(ROUTES.length);
  });

  it('puts a module serving routes of two tags with the first tag, and splits a large area in order', () => {
    const many = Array.from({ length: MAX_FUNCTIONS_PER_AREA + 2 }, (_, i) =>
      route('ai', `ai/op-${String(i).padStart(3, '0')}`, `/v1/op-${i}`),
    );
    const areas = routeAreas([...many, route('models', 'ai/op-000', '/api/models-alias')]);
    expect(areas.map((a) => [a.id, a.fns.length])).toEqual([
      ['Ai', MAX_FUNCTIONS_PER_AREA],
      ['Ai2', 2],
    ]);
    expect(areas[0]!.routes.map((r) => r.path)).toContain('/api/models-alias');
  });

  it('gives a path segment to the area whose routes alone use it, shared prefixes to the root', () => {
    const owners = resourceOwners(
      routeAreas([
        route('providers', 'providers/get', '/api/providers/{id}'),
        route('models', 'models/list', '/api/providers/{id}/models'),
        route('keys', 'keys/list', '/api/keys'),
      ]),
    );
    expect(Object.fromEntries(owners)).toEqual({
      '/api': undefined,
      '/api/providers': undefined,
      '/api/providers/{id}': undefined,
      '/api/providers/{id}/models': 'Models',
      '/api/keys': 'Keys',
    });
    expect(prefixesOf('/a/{b+}')).toEqual(['/a', '/a/{b+}']);
  });
});
