import { z } from 'zod';
import type { AnyRoute } from './api-route.js';

/** Builds the OpenAPI 3.0 document from the declared routes (the same schemas that validate requests). */
export function buildOpenApi(
  routes: readonly AnyRoute[],
  info: { title: string; version: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: operationId(route),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.schema
              ? { content: { [r.contentType ?? 'application/json']: { schema: jsonSchema(r.schema) } } }
              : {}),
          },
        ]),
      ),
    };
    if (route.access === 'write') op.security = [{ bearer: [] }];
    if (route.body) {
      const schema = jsonSchema('parse' in route.body ? route.body.documented : route.body.schema);
      op.requestBody = {
        required: true,
        content: Object.fromEntries(
          (route.body.contentTypes ?? ['application/json']).map((t) => [t, { schema }]),
        ),
      };
    }
    paths[path] = { ...paths[path], [route.method]: op };
  }
  return {
    openapi: '3.0.3',
    info: {
      ...info,
      description:
        'gapwarden keeps datasets complete. Calls that change state need `Authorization: Bearer <token>`.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = jsonSchema(schema) as {
    properties?: Record<string, { description?: string }>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
    ...(s.description ? { description: s.description } : {}),
  }));
}

function operationId(route: AnyRoute): string {
  const words = route.path
    .split('/')
    .filter((w) => w && w !== 'api')
    .map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w));
  return [route.method, ...words].join('-').replace(/[-_]([a-z])/g, (_, ch: string) => ch.toUpperCase());
}
