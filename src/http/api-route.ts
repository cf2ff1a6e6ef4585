import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { GapwardenError } from '../internal/errors.js';
import type { Access } from './auth.js';
import { readBodyText } from './read-body.js';

/**
 * A request body a route accepts: a JSON body validated by `schema`, or a body
 * the route parses itself (`parse`, e.g. NDJSON) with `documented` describing it.
 * `contentTypes` lists what is accepted (default `application/json`); anything
 * else is refused with 415 before the body is read.
 */
export type BodySpec<B> =
  | { schema: z.ZodType<B>; contentTypes?: string[] }
  | { documented: z.ZodType; contentTypes?: string[]; parse: (text: string, contentType: string) => B };

/**
 * One HTTP route, declared once: the same schemas validate requests and
 * generate the OpenAPI document, so the two cannot drift apart.
 */
export interface ApiRoute<P = unknown, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Hono syntax: `/api/datasets/:name`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: BodySpec<B>;
  /** Documented responses: status → description and (JSON) schema. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler: (c: Context, input: { params: P; query: Q; body: B }) => Promise<Response> | Response;
}

/**
 * A route of any parameter/query/body types, for lists of heterogeneous routes.
 * Each route's handler is typed by `defineRoute`; the list only needs the shape.
 */
// biome-ignore lint/suspicious/noExplicitAny: handler input types vary per route; `unknown` would reject every typed handler
export type AnyRoute = ApiRoute<any, any, any>;

/** Declares a route with its types inferred from its schemas. */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(
  route: ApiRoute<P, Q, B>,
): ApiRoute<P, Q, B> {
  return route;
}

export interface MountOptions {
  authorize: (c: Context, access: Access) => void;
  /** Largest body accepted, bytes; larger ones get 413. */
  bodyLimitBytes: number;
}

/** Mounts routes on a Hono app: authorises, validates params, query and body, then calls the handler. */
export function mountRoutes(app: Hono, routes: readonly AnyRoute[], options: MountOptions): void {
  const { authorize, bodyLimitBytes } = options;
  for (const route of routes) {
    app.on(route.method.toUpperCase(), route.path, async (c) => {
      authorize(c, route.access);
      const params = route.params ? validate(route.params, c.req.param(), 'path parameter') : undefined;
      const query = route.query ? validate(route.query, c.req.query(), 'query parameter') : undefined;
      const body = route.body ? await readBody(c, route.body, bodyLimitBytes) : undefined;
      return route.handler(c, { params, query, body });
    });
  }
}

async function readBody<B>(c: Context, spec: BodySpec<B>, limit: number): Promise<B> {
  const accepted = spec.contentTypes ?? ['application/json'];
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!accepted.includes(type)) {
    throw new GapwardenError(
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as ${accepted.join(' or ')} (found content-type "${type || 'none'}")`,
    );
  }
  const text = await readBodyText(c, limit);
  if ('parse' in spec) return spec.parse(text, type);
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new GapwardenError('REQUEST_INVALID', `the body is not valid JSON: ${(err as Error).message}`);
  }
  return validate(spec.schema, value, 'body field');
}

/** Validates with zod, turning issues into one REQUEST_INVALID error naming each field. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    const path = i.path.length > 0 ? i.path.join('.') : '(root)';
    return `${what} ${path}: ${i.message}`;
  });
  throw new GapwardenError('REQUEST_INVALID', problems.join('; '), {
    details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
