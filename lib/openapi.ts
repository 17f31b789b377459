import * as z from 'zod';
import { ROUTES, type Route } from './routes.js';
import { errorEnvelope } from './schemas/common.js';
import { VERSION } from './version.js';

type JsonSchema = Record<string, unknown>;

/**
 * Named schemas shared by operations (`components.schemas`), and which definition each name holds.
 * A recursive schema (the JSON value inside `metadata`) comes out of zod with `$defs` and a
 * `#/$defs/...` reference, which inside an OpenAPI document points at the document root and
 * resolves nowhere; {@link toSchema} moves such definitions here and points their references at
 * `#/components/schemas/<name>`.
 */
interface Components {
  schemas: Map<string, JsonSchema>;
  /** Definition (its references to itself written `#self`) → component name. */
  names: Map<string, string>;
}

/** `value` with every `$ref: '#/$defs/<name>'` replaced by `refTo(name)`. */
function replaceDefRefs(value: unknown, refTo: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceDefRefs(v, refTo));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) =>
      key === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
        ? [key, refTo(v.slice('#/$defs/'.length))]
        : [key, replaceDefRefs(v, refTo)],
    ),
  );
}

const toSchema = (schema: z.ZodType, io: 'input' | 'output', components: Components): JsonSchema => {
  const {
    $schema: _drop,
    $defs = {},
    ...rest
  } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  // zod names definitions per call (`__schema0`, …); one definition reached from many operations
  // becomes one component, named by its `id` meta where it has one.
  const renamed = new Map<string, string>();
  for (const [name, definition] of Object.entries($defs)) {
    const shape = JSON.stringify(replaceDefRefs(definition, (ref) => (ref === name ? '#self' : ref)));
    let component = components.names.get(shape);
    if (!component) {
      component = name.startsWith('__schema') ? `Schema${components.schemas.size}` : name;
      if (components.schemas.has(component)) throw new Error(`two different schemas are named ${component}`);
      components.names.set(shape, component);
      components.schemas.set(component, {});
    }
    renamed.set(name, component);
  }
  const refTo = (name: string) => `#/components/schemas/${renamed.get(name) ?? name}`;
  for (const [name, definition] of Object.entries($defs)) {
    const component = renamed.get(name)!;
    if (Object.keys(components.schemas.get(component)!).length === 0) {
      components.schemas.set(component, replaceDefRefs(definition, refTo) as JsonSchema);
    }
  }
  return replaceDefRefs(rest, refTo) as JsonSchema;
};

/** Path and query parameters of a route, one OpenAPI parameter per schema property. */
function parameters(route: Route, components: Components): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input', components);
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries((json.properties ?? {}) as Record<string, JsonSchema>)) {
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: property });
    }
  }
  return out;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(route: Route, components: Components): JsonSchema {
  const success: JsonSchema =
    route.successStatus === 204
      ? { description: 'No content' }
      : {
          description: 'Success',
          content: {
            [route.produces ?? (route.streams ? 'text/event-stream' : 'application/json')]: {
              schema: route.produces
                ? { type: 'string', format: 'binary' }
                : route.response
                  ? toSchema(route.response, 'output', components)
                  : {},
            },
          },
        };
  const responses: JsonSchema = { [String(route.successStatus)]: success };
  if (route.body) responses['400'] = errorResponse('Malformed request');
  if (route.access !== 'public') {
    responses['401'] = errorResponse('Missing or invalid API key');
    responses['403'] = errorResponse('The key may not call this route');
  }
  if (route.params) responses['404'] = errorResponse('Not found');
  if (route.body) responses['422'] = errorResponse('Invalid field values');
  // Any route: API Gateway's stage throttling (and, for AI routes, the gateway's rate limits).
  responses['429'] = errorResponse('Too many requests');
  return {
    operationId: route.operationId ?? route.fn.replace('/', '_'),
    summary: route.summary,
    tags: [route.tag],
    'x-access': route.access,
    ...(route.access === 'public' ? { security: [] } : {}),
    parameters: parameters(route, components),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(route.body, 'input', components) } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 description of every route, built from the schemas that validate requests. */
export function buildOpenApi(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const components: Components = { schemas: new Map(), names: new Map() };
  components.schemas.set('Error', toSchema(errorEnvelope, 'output', components));
  for (const route of ROUTES) {
    const path = route.path.replace(/\{(\w+)\+\}/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AI provider gateway',
      version: VERSION,
      description:
        'Providers, credentials, models, routing, usage, quotas, health and AI operations behind one API.',
    },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'Local runtime (npm start)' }],
    security: [{ bearer: [] }, { apiKeyHeader: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      schemas: Object.fromEntries(components.schemas),
    },
  };
}
