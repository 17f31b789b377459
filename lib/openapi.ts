import * as z from 'zod';
import { ROUTES, type Route } from './routes.js';
import { errorEnvelope } from './schemas/common.js';
import { VERSION } from './version.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** Path and query parameters of a route, one OpenAPI parameter per schema property. */
function parameters(route: Route): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input');
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

function operation(route: Route): JsonSchema {
  const success: JsonSchema =
    route.successStatus === 204
      ? { description: 'No content' }
      : {
          description: 'Success',
          content: {
            [route.streams ? 'text/event-stream' : 'application/json']: {
              schema: route.response ? toSchema(route.response, 'output') : {},
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
  return {
    operationId: route.operationId ?? route.fn.replace('/', '_'),
    summary: route.summary,
    tags: [route.tag],
    'x-access': route.access,
    ...(route.access === 'public' ? { security: [] } : {}),
    parameters: parameters(route),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 description of every route, built from the schemas that validate requests. */
export function buildOpenApi(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of ROUTES) {
    const path = route.path.replace(/\{(\w+)\+\}/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
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
      schemas: { Error: toSchema(errorEnvelope, 'output') },
    },
  };
}
