import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS, type Role } from '../../lib/auth/roles.js';
import { ROUTES, type Route, routeKey } from '../../lib/routes.js';
import { ROLES } from '../../lib/schemas/vocabulary.js';
import { startTestGateway, type TestGateway } from '../support/runtime.js';
import { GARBAGE_KEY, mintKey } from './access-fixtures.js';

/** Ids that match every id pattern but exist nowhere: allowed calls get 404, never change state. */
const MISSING_ID = 'none_01m8bwjkr672zknf0jar5m8r48';
const MISSING_MODEL = 'matrix/no-such-model';

/**
 * A call of `route` that an allowed caller cannot turn into a change: unknown ids in the path, and a
 * body that no object schema accepts (a JSON array), so it is refused with 4xx after authorization.
 */
function probe(route: Route): { path: string; body?: unknown } {
  const path = route.path.replace(/\{\w+\+\}/g, MISSING_MODEL).replace(/\{\w+\}/g, MISSING_ID);
  return route.body ? { path, body: [] } : { path };
}

let gw: TestGateway;
const keysByRole = {} as Record<Role, string>;

beforeAll(async () => {
  gw = await startTestGateway();
  for (const role of ROLES) keysByRole[role] = (await mintKey(gw, { role })).key;
});
afterAll(async () => {
  await gw.stop();
});

describe('access: role × route matrix over the whole route table', () => {
  it(`gives each of ${ROLES.length} roles exactly what ACCESS says on all ${ROUTES.length} routes`, async () => {
    const unexpectedAllows: string[] = [];
    const unexpectedDenies: string[] = [];
    const serverErrors: string[] = [];
    let calls = 0;
    let expectedDenies = 0;
    let forbidden = 0;
    const covered = new Set<string>();
    for (const route of ROUTES) {
      const { path, body } = probe(route);
      for (const role of ROLES) {
        // The oracle is the ACCESS data itself (pinned by test/unit/auth/roles.test.ts), not allows().
        const expected =
          route.access === 'public' || (ACCESS[route.access] as readonly Role[]).includes(role);
        if (!expected) expectedDenies++;
        const res = await gw.call(route.method, path, { key: keysByRole[role], ...(body ? { body } : {}) });
        calls++;
        const allowed = res.status !== 401 && res.status !== 403;
        const label = `${role} ${routeKey(route)} -> ${res.status}`;
        if (allowed && !expected) unexpectedAllows.push(label);
        if (!allowed && expected) unexpectedDenies.push(label);
        if (res.status >= 500) serverErrors.push(label);
        if (res.status === 403) forbidden++;
        if (!expected) expect(res.json?.error?.code, label).toBe('forbidden');
      }
      covered.add(routeKey(route));
    }
    expect(unexpectedAllows).toEqual([]);
    expect(unexpectedDenies).toEqual([]);
    expect(serverErrors).toEqual([]);
    expect(covered.size).toBe(ROUTES.length);
    expect(calls).toBe(ROUTES.length * ROLES.length);
    expect(expectedDenies).toBeGreaterThan(0);
    expect(forbidden).toBe(expectedDenies);
  });

  it('answers 401 without a key, and with a key never issued, on every route but public ones', async () => {
    const wrong: string[] = [];
    for (const route of ROUTES) {
      const { path, body } = probe(route);
      for (const key of [null, GARBAGE_KEY]) {
        const res = await gw.call(route.method, path, { key, ...(body ? { body } : {}) });
        const expected401 = route.access !== 'public';
        if ((res.status === 401) !== expected401)
          wrong.push(`${key ? 'garbage' : 'none'} ${routeKey(route)} -> ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('classes every route by what it does: keys and credential writes are secrets, reads never write', () => {
    const wrong: string[] = [];
    for (const route of ROUTES) {
      const key = routeKey(route);
      if (!(route.access in ACCESS)) wrong.push(`${key}: unknown class ${route.access}`);
      if (route.path.startsWith('/api/keys') && route.access !== 'secrets')
        wrong.push(`${key}: keys are secrets`);
      if (/\/credentials\b/.test(route.path) && route.method !== 'GET' && route.access !== 'secrets') {
        wrong.push(`${key}: credential writes are secrets`);
      }
      if (route.method !== 'GET' && route.access === 'read')
        wrong.push(`${key}: a read class on a write method`);
      if (route.path.startsWith('/v1/') && route.access !== 'invoke')
        wrong.push(`${key}: AI routes are invoke`);
      if (route.access === 'public' && route.path !== '/health')
        wrong.push(`${key}: only the health probe is public`);
    }
    expect(wrong).toEqual([]);
  });
});
