import type { Clock } from '../../internal/clock.js';
import {
  ConfigError,
  type ConfigIssue,
  describeError,
  GapwardenError,
  hasCode,
} from '../../internal/errors.js';
import type { Logger } from '../../internal/logger.js';
import type { Redact } from '../../internal/redactor.js';
import type { FetchResult, PartitionRef, RawRecord, Rejection, RequestPacer, Source } from '../source.js';
import type { SourceRequestKind, SourceRequestOutcome, SourceRequestReport } from '../source-request.js';
import {
  type HttpClientDeps,
  type JsonResponse,
  type PreparedRequest,
  redactUrl,
  requestJson,
} from './http-client.js';
import {
  describeTemplateProblem,
  type HttpRangeRequestOptions,
  type HttpRequestOptions,
  type HttpSourceOptions,
  templateProblems,
} from './http-source-schema.js';
import { checkPredicate, extractItems, mapItems } from './response-mapping.js';
import { signHmacSha256, signMd5Sorted } from './signing.js';
import { nowVariables, rangeVariables, renderDeep, renderTemplate } from './templates.js';

export interface HttpSourceDeps {
  /** Parsed by `httpSourceSchema` (fully resolved). */
  options: HttpSourceOptions;
  clock: Clock;
  logger: Logger;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Jitter source, uniform in [0, 1). @default Math.random */
  random?: () => number;
  /** Hears about every request sent upstream (each retry and page), for metrics. */
  onRequest?: (report: SourceRequestReport) => void;
  /** Masks secret values (URL path segments included) in the URL that logs and errors show. */
  redact?: Redact;
}

/** What one response held once interpreted: its items, and those items mapped into records. */
type Page =
  | { notFound: true }
  | { notFound: false; items: unknown[]; mapped: MappedItems; safeUrl: string; body: unknown };

type MappedItems = { records: RawRecord[]; rejected: Rejection[] };

/**
 * A Source backed by an HTTP JSON API: templated requests, optional signing,
 * per-attempt timeouts, retries with full-jitter backoff, and a mapping from
 * the response to records. Templates are checked now, so a typo fails at
 * startup rather than at the first backfill.
 *
 * @throws ConfigError when a template uses an unknown placeholder or a relative URL has no baseUrl.
 * @example
 * const source = createHttpSource({
 *   options: httpSourceSchema.parse({ name: 'primary', type: 'http', baseUrl, byKey: { url: '/history',
 *     query: { issue: '${partition}' } }, response: { records: 'retdata', key: 'issue' } }),
 *   clock: systemClock, logger,
 * });
 * const { records } = await source.byKey({ ordinal: 7, vars: { partition: '3300007' } });
 */
export function createHttpSource(deps: HttpSourceDeps): Source {
  const { options: o, clock } = deps;
  validateOptions(o);
  const redact = deps.redact ?? ((text: string) => text);
  const client: HttpClientDeps = {
    source: o.name,
    fetch: deps.fetch ?? globalThis.fetch,
    clock,
    logger: deps.logger,
    random: deps.random ?? Math.random,
    hold: { until: 0 },
  };

  const report = (kind: SourceRequestKind, outcome: SourceRequestOutcome, ms: number, status?: number) => {
    if (!deps.onRequest) return;
    try {
      deps.onRequest({ source: o.name, kind, outcome, ms, ...(status === undefined ? {} : { status }) });
    } catch (err) {
      // A metrics hook must never fail a fetch.
      deps.logger.warn({ msg: 'source request listener failed', source: o.name, error: describeError(err) });
    }
  };

  /** Renders `req` with `vars` (plus `now.*`) and signs it; called again for every attempt. */
  const prepare = (req: HttpRequestOptions, vars: Readonly<Record<string, string>>): PreparedRequest => {
    const nowMs = clock.now();
    const all = { ...nowVariables(nowMs), ...vars };
    const url = resolveUrl(o.baseUrl, renderTemplate(req.url, all, encodeURIComponent));
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.query)) query[k] = renderTemplate(v, all);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = renderTemplate(v, all);
    const renderedBody = req.body === undefined ? undefined : renderDeep(req.body, all);
    let body: string | undefined;
    if (renderedBody !== undefined) {
      body = typeof renderedBody === 'string' ? renderedBody : JSON.stringify(renderedBody);
      if (typeof renderedBody !== 'string') headers['content-type'] ??= 'application/json';
    }
    const secretNames = new Set<string>();
    if (o.sign) {
      const sign = o.sign;
      const { [sign.param]: _ownSignature, ...params } = query;
      let result: string | Record<string, string>;
      if (typeof sign.method === 'function') {
        const ctx = { method: req.method, url: url.href, headers: { ...headers }, body: renderedBody, nowMs };
        try {
          result = sign.method(params, ctx);
        } catch (err) {
          throw new GapwardenError(
            'CONFIG_INVALID',
            `source "${o.name}": sign function threw: ${describeError(err)}`,
          );
        }
      } else {
        // The secret only feeds the hash: it never reaches the URL, headers, logs or errors.
        const signer = sign.method === 'md5-sorted' ? signMd5Sorted : signHmacSha256;
        result = signer(params, 'secret' in sign ? sign.secret : '');
      }
      const additions = typeof result === 'string' ? { [sign.param]: result } : result;
      for (const [k, v] of Object.entries(additions)) {
        secretNames.add(k);
        if (sign.in === 'header') headers[k.toLowerCase()] = v;
        else query[k] = v;
      }
    }
    for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
    const prepared: PreparedRequest = {
      method: req.method,
      url,
      headers,
      safeUrl: redact(redactUrl(url, secretNames)),
    };
    if (body !== undefined) prepared.body = body;
    return prepared;
  };

  /** One request, interpreted, and reported to `onRequest` with what the answer meant. */
  const fetchPage = async (
    kind: SourceRequestKind,
    req: HttpRequestOptions,
    vars: Readonly<Record<string, string>>,
    signal: AbortSignal | undefined,
    pace: RequestPacer | undefined,
  ): Promise<Page> => {
    const res = await requestJson(
      () => prepare(req, vars),
      o,
      client,
      signal,
      (a) => report(kind, a.outcome, a.ms, a.status),
      pace,
    );
    let page: Page;
    try {
      page = interpret(req, res);
    } catch (err) {
      report(kind, 'malformed', res.ms, res.status);
      throw err;
    }
    report(kind, outcomeOf(page), res.ms, res.status);
    return page;
  };

  /** What a 2xx JSON body means: notFound predicate first (it usually also fails `success`), then success, then items. */
  const interpret = (req: HttpRequestOptions, res: JsonResponse): Page => {
    const mapping = o.response;
    if (mapping.notFound && checkPredicate(res.body, mapping.notFound).matches) return { notFound: true };
    if (mapping.success) {
      const { matches, found } = checkPredicate(res.body, mapping.success);
      if (!matches) {
        const expected = JSON.stringify(mapping.success.equals);
        throw new GapwardenError(
          'SOURCE_RESPONSE_INVALID',
          `source "${o.name}": ${mapping.success.path} was ${found}, expected ${expected} (${req.method} ${res.safeUrl})`,
          {
            retryable: true,
            details: { source: o.name, url: res.safeUrl, path: mapping.success.path, found, expected },
          },
        );
      }
    }
    const items = extractItems(res.body, mapping);
    if (!items.ok) {
      throw new GapwardenError(
        'SOURCE_RESPONSE_INVALID',
        `source "${o.name}": ${items.reason} (${res.safeUrl})`,
        {
          retryable: true,
          details: { source: o.name, url: res.safeUrl },
        },
      );
    }
    return {
      notFound: false,
      items: items.items,
      mapped: mapItems(items.items, mapping),
      safeUrl: res.safeUrl,
      body: res.body,
    };
  };

  const notFound = (partition: PartitionRef, why: string) =>
    new GapwardenError(
      'SOURCE_NOT_FOUND',
      `source "${o.name}" has no partition ${label(partition)}: ${why}`,
      {
        details: { source: o.name, ordinal: partition.ordinal, partition: partition.vars.partition },
      },
    );

  const unsupported = (call: string) =>
    new GapwardenError('SOURCE_UNSUPPORTED', `source "${o.name}" has no ${call} request configured`, {
      details: { source: o.name, call },
    });

  const range = async (
    kind: SourceRequestKind,
    req: HttpRangeRequestOptions,
    from: PartitionRef,
    to: PartitionRef,
    signal: AbortSignal | undefined,
    pace: RequestPacer | undefined,
  ): Promise<FetchResult> => {
    const vars = rangeVariables(from.vars, to.vars);
    const records: RawRecord[] = [];
    const rejected: Rejection[] = [];
    const p = req.pagination;
    if (!p) {
      const page = await fetchPage(kind, req, vars, signal, pace);
      collect(page, records, rejected);
      return { records, rejected, source: o.name };
    }
    let previousPage: string | undefined;
    for (let i = 0; i < p.maxPages; i++) {
      const page = await fetchPage(kind, req, { ...vars, page: String(p.pageStart + i) }, signal, pace);
      if (page.notFound || page.items.length === 0) break;
      // An API that ignores the page parameter repeats itself; stop instead of fetching it maxPages times.
      const fingerprint = JSON.stringify(page.items);
      if (fingerprint === previousPage) {
        client.logger.warn({
          msg: 'source repeated a page; stopping pagination',
          source: o.name,
          url: page.safeUrl,
        });
        break;
      }
      previousPage = fingerprint;
      collect(page, records, rejected);
      if (p.stopWhenFewerThan !== undefined && page.items.length < p.stopWhenFewerThan) break;
      if (p.lastPage && checkPredicate(page.body, p.lastPage).matches) break;
      if (i === p.maxPages - 1) {
        client.logger.warn({
          msg: 'source pagination hit maxPages; the range may be incomplete',
          source: o.name,
        });
      }
    }
    return { records, rejected, source: o.name };
  };

  return {
    name: o.name,
    capabilities: {
      latest: o.latest !== undefined,
      byKey: o.byKey !== undefined || o.byRange !== undefined,
      byRange: o.byRange !== undefined,
    },

    async latest(signal) {
      if (!o.latest) throw unsupported('latest');
      const page = await fetchPage('latest', o.latest, {}, signal, undefined);
      const records: RawRecord[] = [];
      const rejected: Rejection[] = [];
      collect(page, records, rejected);
      return { records, rejected, source: o.name };
    },

    async byKey(partition, signal, pace) {
      if (o.byKey) {
        let page: Page;
        try {
          page = await fetchPage('byKey', o.byKey, partition.vars, signal, pace);
        } catch (err) {
          if (hasCode(err, 'SOURCE_HTTP') && err.details.status === 404)
            throw notFound(partition, 'HTTP 404');
          throw err;
        }
        if (page.notFound) throw notFound(partition, `${o.response.notFound?.path} says not found`);
        if (page.items.length === 0) throw notFound(partition, 'the response has no records');
        const records: RawRecord[] = [];
        const rejected: Rejection[] = [];
        collect(page, records, rejected);
        return { records, rejected, source: o.name };
      }
      // Without a byKey request, a one-partition range answers the same question.
      if (o.byRange) {
        let result: FetchResult;
        try {
          result = await range('byKey', o.byRange, partition, partition, signal, pace);
        } catch (err) {
          if (hasCode(err, 'SOURCE_HTTP') && err.details.status === 404)
            throw notFound(partition, 'HTTP 404');
          throw err;
        }
        if (result.records.length === 0 && result.rejected.length === 0) {
          throw notFound(partition, 'the range response has no records');
        }
        return result;
      }
      throw unsupported('byKey');
    },

    async byRange(from, to, signal, pace) {
      if (!o.byRange) throw unsupported('byRange');
      return range('byRange', o.byRange, from, to, signal, pace);
    },
  };
}

function collect(page: Page, records: RawRecord[], rejected: Rejection[]): void {
  if (page.notFound) return;
  records.push(...page.mapped.records);
  rejected.push(...page.mapped.rejected);
}

/** A page whose every item was rejected is its own outcome: the source answered, but nothing usable. */
function outcomeOf(page: Page): SourceRequestOutcome {
  if (page.notFound) return 'not_found';
  const { records, rejected } = page.mapped;
  return records.length === 0 && rejected.length > 0 ? 'rejected' : 'ok';
}

function label(p: PartitionRef): string {
  return p.vars.partition ?? `#${p.ordinal}`;
}

/** Joins a rendered URL to baseUrl unless it is already absolute. */
function resolveUrl(baseUrl: string | undefined, url: string): URL {
  const absolute = /^https?:\/\//i.test(url);
  if (!absolute && !baseUrl) {
    throw new GapwardenError('CONFIG_INVALID', `request url "${url}" is relative and no baseUrl is set`);
  }
  const text = absolute || !baseUrl ? url : `${baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
  try {
    return new URL(text);
  } catch (err) {
    throw new GapwardenError('CONFIG_INVALID', `request url "${text}" is not a valid URL`, { cause: err });
  }
}

/** The checks the schema does, repeated for options built in code rather than parsed. */
function validateOptions(o: HttpSourceOptions): void {
  const issues: ConfigIssue[] = templateProblems(o).map((p) => ({
    path: `sources.${o.name}.${p.path}`,
    expected: `one of ${p.allowed.join(', ')}`,
    found: `\${${p.placeholder}}`,
    message: describeTemplateProblem(p),
  }));
  for (const scope of ['latest', 'byKey', 'byRange'] as const) {
    const url = o[scope]?.url;
    if (url !== undefined && !o.baseUrl && !/^(https?:\/\/|\$\{)/i.test(url)) {
      issues.push({
        path: `sources.${o.name}.${scope}.url`,
        expected: 'an absolute http(s) URL, or a baseUrl',
        found: JSON.stringify(url),
        message: 'relative request url without baseUrl',
      });
    }
  }
  if (o.sign && typeof o.sign.method !== 'function' && !('secret' in o.sign && o.sign.secret)) {
    issues.push({
      path: `sources.${o.name}.sign.secret`,
      expected: 'a non-empty secret',
      found: 'nothing',
      message: 'signing needs a secret',
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
}
