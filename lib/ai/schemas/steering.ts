/**
 * Callers cannot steer the upstream (RELIABILITY.md "Upstream address"): a request body that names
 * `base_url`, `api_base`, `api_key`, a host or headers anywhere, nested or not, is refused with a 422
 * naming the path. The outbound host is always the stored provider's. Two more layers hold the line:
 * the schemas strip unknown fields, and adapters build upstream bodies field by field.
 *
 * JSON-Schema payloads (`tools[].function.parameters`, `input_schema`, `json_schema.schema`) and
 * tool-call inputs are data describing the caller's own tools, not configuration, so a tool with a
 * parameter named `api_key` is allowed.
 */
import * as z from 'zod';

/** Field names (lower-cased, `-` and `_` removed) that could steer the outbound call. */
const STEERING_KEYS = new Set([
  'baseurl',
  'basepath',
  'apibase',
  'apiurl',
  'apikey',
  'xapikey',
  'authorization',
  'host',
  'customhost',
  'endpoint',
  'azureendpoint',
  'awsaccesskeyid',
  'awssecretaccesskey',
  'awssessiontoken',
  'headers',
  'extraheaders',
  'defaultheaders',
  'forwardheaders',
  'proxy',
  'proxyurl',
]);

/** Keys whose value is a JSON Schema (or tool input) supplied as data. */
const DATA_KEYS = new Set(['parameters', 'input_schema', 'schema']);

/** Deepest nesting accepted in a request body. */
export const MAX_BODY_DEPTH = 64;

/** Where a body breaks the steering rule, and how. */
export interface SteeringHit {
  path: (string | number)[];
  reason: 'steering_field' | 'too_deep';
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function isDataSubtree(parent: Record<string, unknown>, key: string): boolean {
  return DATA_KEYS.has(key) || (key === 'input' && parent.type === 'tool_use');
}

/**
 * Finds the first field in `value` that could steer the upstream, depth first.
 *
 * @returns the path of the offending key, or of the first value nested deeper than
 *   {@link MAX_BODY_DEPTH}; `undefined` when the body is clean.
 */
export function findSteeringField(value: unknown, at: (string | number)[] = []): SteeringHit | undefined {
  if (at.length > MAX_BODY_DEPTH) return { path: at, reason: 'too_deep' };
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const hit = findSteeringField(item, [...at, index]);
      if (hit) return hit;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (STEERING_KEYS.has(normalizeKey(key))) return { path: [...at, key], reason: 'steering_field' };
    if (isDataSubtree(record, key)) continue;
    const hit = findSteeringField(record[key], [...at, key]);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Wraps a request-body schema so a steering field anywhere refuses the body before the schema runs.
 * The OpenAPI document is unaffected (a preprocess step documents as the inner schema).
 */
export function refuseUpstreamSteering<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    const hit = findSteeringField(value);
    if (hit !== undefined) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        path: hit.path,
        message:
          hit.reason === 'too_deep'
            ? `the body is nested deeper than ${MAX_BODY_DEPTH} levels`
            : 'this field may not be set by a caller: the upstream address and credentials come from the stored provider',
      });
    }
    return value;
  }, schema);
}
