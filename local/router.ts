import { pathSegments } from '../lib/routes/path-template.js';
import { ROUTES, type Route } from '../lib/routes.js';

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
  /** Static segments first, so `/api/providers/models` wins over `/api/providers/{id}`. */
  rank: number;
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  let rank = 0;
  const source = pathSegments(route.path)
    .map((segment) => {
      if (segment.kind === 'static') {
        rank += 2;
        return segment.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(segment.name);
      return segment.greedy ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^/${source}$`), names, rank };
}

const COMPILED = ROUTES.map(compile).sort((a, b) => b.rank - a.rank);

export type Match =
  | { kind: 'route'; route: Route; pathParameters: Record<string, string> | null }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

/**
 * Finds the route for a request as API Gateway would: static segments beat parameters, `{x+}`
 * takes the rest of the path. Path parameters are percent-decoded like API Gateway's.
 */
export function matchRoute(method: string, path: string): Match {
  const allowed: string[] = [];
  for (const candidate of COMPILED) {
    const m = candidate.pattern.exec(path);
    if (!m) continue;
    if (candidate.route.method !== method) {
      allowed.push(candidate.route.method);
      continue;
    }
    if (candidate.names.length === 0) return { kind: 'route', route: candidate.route, pathParameters: null };
    const params: Record<string, string> = {};
    try {
      candidate.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
    } catch {
      return { kind: 'not_found' };
    }
    return { kind: 'route', route: candidate.route, pathParameters: params };
  }
  return allowed.length ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
}
