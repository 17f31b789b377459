import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FUNCTIONS_PER_AREA, routeAreas } from '../../infra/route-areas.js';
import { AI_CALL_WRITES } from '../../lib/routes/ai/common.js';
import { ROUTES, type Route, routeKey } from '../../lib/routes.js';
import { type Synthesized, synthGateway } from './synth.js';

/** The per-template ceiling the stack keeps: CloudFormation stops at 500, this leaves a fifth spare. */
const MAX_RESOURCES = 400;

const resourceCounts = (s: Synthesized) =>
  [...s.templates].map(([path, t]) => [path, Object.keys(t.Resources as object).length] as const);

const expectEveryTemplateUnder = (s: Synthesized) => {
  const counts = resourceCounts(s);
  if (process.env.STACK_SIZE_REPORT) console.log(counts.map(([path, n]) => `${n}\t${path}`).join('\n'));
  for (const [path, count] of counts) expect(count, path).toBeLessThan(MAX_RESOURCES);
};

describe('the stack as deployed today', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthGateway();
  }, 300_000);

  it(`keeps every template (root and nested) under ${MAX_RESOURCES} resources`, () => {
    expect(s.templates.size).toBe(1 + routeAreas(ROUTES).length);
    expectEveryTemplateUnder(s);
  });

  it('deploys the API only after every area has built its methods', () => {
    const deployments = Object.values(s.template.findResources('AWS::ApiGateway::Deployment'));
    expect(deployments).toHaveLength(1);
    const deployment = deployments[0]!;
    const nestedStacks = Object.keys(s.template.findResources('AWS::CloudFormation::Stack'));
    expect(nestedStacks).toHaveLength(routeAreas(ROUTES).length);
    expect(deployment.DependsOn).toEqual(expect.arrayContaining(nestedStacks));
  });

  it('redeploys the stage when a method in a nested stack changes', () => {
    const deploymentId = (t: Synthesized) =>
      Object.keys(t.template.findResources('AWS::ApiGateway::Deployment'))[0];
    const changed = ROUTES.map((r) => (routeKey(r) === 'GET /api/audit' ? { ...r, streams: true } : r));
    expect(changed).not.toEqual(ROUTES);
    const other = synthGateway({ routes: changed });
    expect(deploymentId(other)).not.toBe(deploymentId(s));
    expect(deploymentId(synthGateway())).toBe(deploymentId(s));
  }, 300_000);
});

/**
 * 150 routes of one function each (the worst case: today 52 routes share 49 functions), spread as a
 * growing gateway would: most in the AI area (so it splits into parts), the rest across the admin
 * areas, each under its area's own paths and under shared prefixes.
 */
function syntheticRoutes(count: number): Route[] {
  const tags = [...new Set(ROUTES.map((r) => r.tag))];
  return Array.from({ length: count }, (_, i) => {
    const tag = i % 3 === 0 ? tags[(i / 3) % tags.length]! : 'ai';
    const shared = i % 4 === 0;
    return {
      method: (['GET', 'POST', 'PATCH', 'DELETE'] as const)[i % 4]!,
      path: shared ? `/api/providers/{id}/synthetic-${i}` : `/synthetic/${tag}/op-${i}/{id}`,
      fn: `${tag}/synthetic-${i}`,
      access: i % 2 === 0 ? 'write' : 'invoke',
      streams: i % 10 === 0,
      summary: `Synthetic route ${i}`,
      tag,
      successStatus: 200,
      // GETs write nothing; the others as much as an AI call does (the largest write grant).
      ...(i % 4 === 0 ? {} : { writes: AI_CALL_WRITES }),
    };
  });
}

describe('a stack with 150 routes', () => {
  let dir: string;
  let s: Synthesized;
  const routes = syntheticRoutes(150);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-fns-'));
    for (const route of routes) {
      const file = join(dir, `${route.fn}.ts`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, 'export const handler = async () => ({ statusCode: 200 });\n');
    }
    s = synthGateway({ routes, functionsDir: dir });
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`builds all 150 methods with every template under ${MAX_RESOURCES} resources`, () => {
    expect(
      s.model
        .methods()
        .map((m) => m.key)
        .sort(),
    ).toEqual(routes.map(routeKey).sort());
    expect(routeAreas(routes).filter((a) => a.tag === 'ai').length).toBeGreaterThan(1);
    expectEveryTemplateUnder(s);
  });

  it(`splits an area past ${MAX_FUNCTIONS_PER_AREA} functions into parts, each function built once`, () => {
    const functions = s.template.findResources('AWS::Lambda::Function');
    const described = Object.values(functions).map((f) => String(f.Properties.Description));
    for (const route of routes) {
      expect(
        described.filter((d) => d === routeKey(route)),
        routeKey(route),
      ).toHaveLength(1);
    }
  });
});
