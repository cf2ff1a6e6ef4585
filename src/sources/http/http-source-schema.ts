import { z } from 'zod';
import { isStorableName, STORABLE_NAME_MESSAGE } from '../../domain/storable-text.js';
import {
  allowedVariables,
  findTemplateProblems,
  type TemplateProblem,
  type TemplateScope,
} from './templates.js';

/** What a custom signer sees besides the parameters. */
export interface SignContext {
  method: string;
  /** The request URL without its query string. */
  url: string;
  /** The rendered request headers (before the signature is added). */
  headers: Readonly<Record<string, string>>;
  /** The rendered request body, if any. */
  body: unknown;
  /** The clock's time of the request, in ms. */
  nowMs: number;
}

/**
 * A custom signer (TypeScript configs only). `params` are the rendered query
 * parameters. A string result is put at `sign.param` (query or header, per
 * `sign.in`); an object result is merged into the query or the headers as-is
 * (e.g. `{ sign, nonce }`).
 */
export type SignFunction = (
  params: Readonly<Record<string, string>>,
  ctx: SignContext,
) => string | Record<string, string>;

/** Config values are strings at request time; YAML numbers and booleans are accepted and stringified. */
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const requestFields = {
  /** Absolute, or relative to `baseUrl`. May contain placeholders (URL-encoded when rendered). */
  url: z.string().min(1),
  /** @default 'GET' */
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).default('GET'),
  query: z.record(z.string(), scalar).default({}),
  headers: z.record(z.string(), scalar).default({}),
  /** A JSON value (sent as application/json) or a string (sent verbatim); string leaves are templated. */
  body: z.unknown().optional(),
};

const requestSchema = z.strictObject(requestFields);

const predicateSchema = z.strictObject({
  /** Dot path into the response body. */
  path: z.string().min(1),
  /** Compared as strings, so `10000` in YAML matches `"10000"` in the body. */
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]),
});

const paginationSchema = z.strictObject({
  /** @default 1 */
  pageStart: z.int().min(0).default(1),
  /** @default 100 */
  maxPages: z.int().min(1).default(100),
  /** A page with fewer items than this is the last; without it, an empty page is. */
  stopWhenFewerThan: z.int().min(1).optional(),
  /**
   * A page whose body matches this is the last (`{ path: has_more, equals: false }`,
   * `{ path: next, equals: null }`), so a full last page costs no request for an empty one.
   */
  lastPage: predicateSchema.optional(),
});

const rangeRequestSchema = z.strictObject({ ...requestFields, pagination: paginationSchema.optional() });

const responseSchema = z
  .strictObject({
    /** Dot path to the array of items; '' or '.' is the body itself. @default '.' */
    records: z.string().default('.'),
    /**
     * The records path may hold one object instead of an array: that object is
     * one record (a source that answers a by-key call with the item itself).
     * Without it, an object there fails the response. @default false
     */
    single: z.boolean().default(false),
    /** Dot path in each item to its key. */
    key: z.string().min(1),
    /** Dot path in each item to its raw partition. @default the key path */
    partition: z.string().min(1).optional(),
    /** Dot path in each item to its payload. @default '.' (the whole item) */
    payload: z.string().default('.'),
    /** A body that does not match is an error (checked after `notFound`). */
    success: predicateSchema.optional(),
    /** A body that matches means "the source has no such partition". */
    notFound: predicateSchema.optional(),
  })
  .transform((r) => ({ ...r, partition: r.partition ?? r.key }));

const signFunctionSchema = z.custom<SignFunction>((v) => typeof v === 'function', {
  message: 'expected a function',
});
const signPlacement = {
  /** @default 'sign' */
  param: z.string().min(1).default('sign'),
  /** @default 'query' */
  in: z.enum(['query', 'header']).default('query'),
};
const signSchema = z.union(
  [
    z.strictObject({
      method: z.enum(['md5-sorted', 'hmac-sha256']),
      secret: z.string().min(1),
      ...signPlacement,
    }),
    z.strictObject({ method: signFunctionSchema, ...signPlacement }),
    signFunctionSchema.transform((fn) => ({ method: fn, param: 'sign', in: 'query' as const })),
  ],
  { error: 'expected { method: md5-sorted | hmac-sha256, secret, param?, in? } or a sign function' },
);

/**
 * One HTTP JSON source of a dataset. Parse config with it; the output type
 * (`HttpSourceOptions`) is fully resolved, so nothing downstream re-applies defaults.
 */
export const httpSourceSchema = z
  .strictObject({
    /** Unique per dataset; records are tagged with it. */
    name: z.string().min(1).refine(isStorableName, STORABLE_NAME_MESSAGE),
    type: z.literal('http'),
    /** Prefixed to relative request URLs. */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    latest: requestSchema.optional(),
    byKey: requestSchema.optional(),
    byRange: rangeRequestSchema.optional(),
    sign: signSchema.optional(),
    response: responseSchema,
    /** Per attempt. @default 10000 */
    timeoutMs: z.int().min(1).default(10_000),
    /** Extra attempts after the first for retryable failures. @default 2 */
    retries: z.int().min(0).default(2),
    /** Exponential backoff with full jitter. @default { initialMs: 200, maxMs: 5000 } */
    backoff: z
      .strictObject({ initialMs: z.int().min(0).default(200), maxMs: z.int().min(0).default(5000) })
      .prefault({}),
    /** A 429 asking to wait longer than this fails at once (retryable, with `retryAfterMs`). @default 60000 */
    maxRetryAfterMs: z.int().min(0).default(60_000),
    /**
     * Largest response body read, in bytes (after decompression); a larger one fails the
     * call with SOURCE_RESPONSE_INVALID (not retried) instead of filling memory. @default 16777216 (16 MiB)
     */
    maxResponseBytes: z
      .int()
      .min(1)
      .default(16 * 1024 * 1024),
  })
  .superRefine((o, ctx) => {
    if (!o.latest && !o.byKey && !o.byRange) {
      ctx.addIssue({ code: 'custom', path: [], message: 'configure at least one of latest, byKey, byRange' });
    }
    for (const scope of ['latest', 'byKey', 'byRange'] as const) {
      const req = o[scope];
      if (req && req.method === 'GET' && req.body !== undefined) {
        ctx.addIssue({ code: 'custom', path: [scope, 'body'], message: 'a GET request cannot have a body' });
      }
    }
    if (o.backoff.maxMs < o.backoff.initialMs) {
      ctx.addIssue({ code: 'custom', path: ['backoff', 'maxMs'], message: 'maxMs must be >= initialMs' });
    }
    for (const p of templateProblems(o)) {
      ctx.addIssue({ code: 'custom', path: p.path.split('.'), message: describeTemplateProblem(p) });
    }
  });

/** The fully-resolved options of one HTTP source (the schema's output). */
export type HttpSourceOptions = z.output<typeof httpSourceSchema>;
/** What a config file may write (the schema's input: defaults optional). */
export type HttpSourceInput = z.input<typeof httpSourceSchema>;
export type HttpRequestOptions = z.output<typeof requestSchema>;
export type HttpRangeRequestOptions = z.output<typeof rangeRequestSchema>;
export type HttpResponseMapping = z.output<typeof responseSchema>;
export type HttpSignOptions = z.output<typeof signSchema>;
export type ResponsePredicate = z.output<typeof predicateSchema>;

/**
 * Every placeholder in the source's requests that has no value in its scope
 * (`${date}` in `latest`, a typo, a leftover `${env:X}`, `${page}` without pagination).
 */
export function templateProblems(o: HttpSourceOptions): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const scope of ['latest', 'byKey', 'byRange'] as const satisfies readonly TemplateScope[]) {
    const req = o[scope];
    if (!req) continue;
    const paginated = scope === 'byRange' && o.byRange?.pagination !== undefined;
    const allowed = allowedVariables(scope, paginated);
    problems.push(
      ...findTemplateProblems(req.url, allowed, `${scope}.url`),
      ...findTemplateProblems(req.query, allowed, `${scope}.query`),
      ...findTemplateProblems(req.headers, allowed, `${scope}.headers`),
      ...findTemplateProblems(req.body, allowed, `${scope}.body`),
    );
  }
  return problems;
}

/** A one-line explanation of a template problem, with the names that would work. */
export function describeTemplateProblem(p: TemplateProblem): string {
  const hint =
    p.placeholder === 'page'
      ? ` (add byRange.pagination to use \${page})`
      : p.placeholder.startsWith('env:')
        ? ' (environment placeholders must be resolved by the config loader)'
        : '';
  return `unknown placeholder \${${p.placeholder}}${hint}; available here: ${p.allowed.join(', ')}`;
}
