import type { Route } from '../lib/routes.js';

/**
 * Most handler modules one nested stack holds. A function costs about four resources (function,
 * role, policy, log group) and each of its routes two more (method, invoke permission), so 40
 * functions of a route or two each stay near 300, under the 400 the stack tests allow a template
 * and well under CloudFormation's 500.
 */
export const MAX_FUNCTIONS_PER_AREA = 40;

/** One nested stack's share of the route table: an area (route tag), or part of a large one. */
export interface RouteArea {
  /** Construct id of the nested stack: the tag in PascalCase, `Ai`, `Providers`, `Ai2` for a second part. */
  id: string;
  tag: string;
  /** Handler modules it builds, sorted. */
  fns: string[];
  routes: Route[];
}

/** `providers/create` → `ProvidersCreate`: a construct id that is stable for a handler module or tag. */
export function constructIdOf(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The route table split into nested stacks: one per tag, and an area with more than
 * {@link MAX_FUNCTIONS_PER_AREA} handler modules in parts of that many (by module name, so a part
 * keeps its functions until modules are added before them). A handler module serving routes of
 * several tags lives with the first tag (sorted), so each function is built once.
 */
export function routeAreas(routes: readonly Route[]): RouteArea[] {
  const tagOfFn = new Map<string, string>();
  for (const route of routes) {
    const current = tagOfFn.get(route.fn);
    if (current === undefined || route.tag < current) tagOfFn.set(route.fn, route.tag);
  }
  const fnsByTag = new Map<string, string[]>();
  for (const [fn, tag] of tagOfFn) fnsByTag.set(tag, [...(fnsByTag.get(tag) ?? []), fn]);

  const areas: RouteArea[] = [];
  for (const tag of [...fnsByTag.keys()].sort()) {
    const fns = fnsByTag.get(tag)!.sort();
    for (let start = 0, part = 1; start < fns.length; start += MAX_FUNCTIONS_PER_AREA, part += 1) {
      const share = fns.slice(start, start + MAX_FUNCTIONS_PER_AREA);
      areas.push({
        id: `${constructIdOf(tag)}${part === 1 ? '' : part}`,
        tag,
        fns: share,
        routes: routes.filter((route) => share.includes(route.fn)),
      });
    }
  }
  return areas;
}

/** `/api/providers/{id}` → `['/api', '/api/providers', '/api/providers/{id}']`. */
export function prefixesOf(path: string): string[] {
  const segments = path.split('/').filter(Boolean);
  return segments.map((_, i) => `/${segments.slice(0, i + 1).join('/')}`);
}

/**
 * Which stack builds each API Gateway resource (path segment): the area whose routes alone sit at
 * or under it, or the root stack (`undefined`) for a prefix that routes of several areas share
 * (`/api`, `/api/providers/{id}`). A resource owned by an area is created in its nested stack, so
 * the root's share of resources grows with the shared prefixes only.
 */
export function resourceOwners(areas: readonly RouteArea[]): Map<string, string | undefined> {
  const owners = new Map<string, string | undefined>();
  for (const area of areas) {
    for (const route of area.routes) {
      for (const prefix of prefixesOf(route.path)) {
        const owner = owners.has(prefix) ? owners.get(prefix) : area.id;
        owners.set(prefix, owner === area.id ? area.id : undefined);
      }
    }
  }
  return owners;
}
