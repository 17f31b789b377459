/**
 * API Gateway resource paths (`/api/providers/{id}/models/{model_id+}`), parsed once for everyone
 * who reads them: the local router matches requests with them, the stack declares path parameters.
 */

/** One segment of a path template: literal text, or a parameter (`{x+}` is greedy: the rest). */
export type PathSegment = { kind: 'static'; text: string } | { kind: 'param'; name: string; greedy: boolean };

const PARAM = /^\{([A-Za-z0-9_]+)(\+?)\}$/;

/** The segments of a path template, in order (the empty segment before the leading `/` excluded). */
export function pathSegments(path: string): PathSegment[] {
  return path
    .split('/')
    .slice(1)
    .map((segment): PathSegment => {
      const param = PARAM.exec(segment);
      return param
        ? { kind: 'param', name: param[1]!, greedy: param[2] === '+' }
        : { kind: 'static', text: segment };
    });
}

/** Names of the path parameters of a template: `{id}` and greedy `{model_id+}` alike. */
export function pathParameters(path: string): string[] {
  return pathSegments(path).flatMap((s) => (s.kind === 'param' ? [s.name] : []));
}
