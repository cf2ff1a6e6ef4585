// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are gapwarden request templates, not JS template literals.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { SourceHealth } from '../domain/source-health.js';
import { createManualClock, type ManualClock } from '../internal/clock.js';
import { GapwardenError } from '../internal/errors.js';
import { silentLogger } from '../internal/logger.js';
import { createFailoverSource, type FailoverSource } from './failover-source.js';
import { createFunctionSource } from './function-source.js';
import { createHttpSource } from './http/http-source.js';
import { httpSourceSchema } from './http/http-source-schema.js';
import { sendJson, startUpstream, type Upstream } from './http/test-upstream.js';
import type { Source } from './source.js';

/** How each upstream answers: 'ok' with the draw, 'fail' with HTTP 500, 'missing' with HTTP 404. */
type Mode = 'ok' | 'fail' | 'missing';
const modes: Record<string, Mode> = { primary: 'ok', secondary: 'ok' };
let upstream: Upstream;
let clock: ManualClock;
let changes: [string, SourceHealth['state']][];

before(async () => {
  upstream = await startUpstream();
  for (const name of ['primary', 'secondary']) {
    upstream.route(`/${name}/history`, (req, res) => {
      const mode = modes[name];
      if (mode === 'fail') return sendJson(res, 500, { error: 'upstream hiccup' });
      if (mode === 'missing') return sendJson(res, 404, { error: 'no such issue' });
      sendJson(res, 200, { codeid: 10000, retdata: [{ issue: Number(req.query.issue), from: name }] });
    });
  }
});
after(async () => {
  await upstream.close();
});
beforeEach(() => {
  modes.primary = 'ok';
  modes.secondary = 'ok';
  clock = createManualClock(Date.UTC(2025, 9, 3));
  changes = [];
});

function httpSource(name: string): Source {
  const options = httpSourceSchema.parse({
    name,
    type: 'http',
    baseUrl: upstream.url,
    byKey: { url: `/${name}/history`, query: { issue: '${partition}', time: '${now.unix}' } },
    response: { records: 'retdata', key: 'issue', success: { path: 'codeid', equals: 10000 } },
    timeoutMs: 2000,
    // No retries inside a source: the failover's breaker is what is under test.
    retries: 0,
  });
  return createHttpSource({ options, clock, logger: silentLogger });
}

function failover(sources: Source[] = [httpSource('primary'), httpSource('secondary')]): FailoverSource {
  return createFailoverSource({
    sources,
    breaker: { failureThreshold: 2, cooldownMs: 30_000 },
    clock,
    onStateChange: (source, health) => changes.push([source, health.state]),
  });
}

const ref = (partition: string) => ({ ordinal: Number(partition), vars: { partition } });
const primaryHits = () => upstream.seen('/primary/history').length;

async function failure(promise: Promise<unknown>): Promise<GapwardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GapwardenError, `expected a GapwardenError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('failover source', () => {
  it('answers from the primary while it is healthy', async () => {
    const result = await failover().byKey(ref('100'));
    assert.equal(result.source, 'primary');
    assert.deepEqual(result.records[0]?.payload, { issue: 100, from: 'primary' });
  });

  it('opens a failing primary after the threshold, skips it, and tries it again after the cooldown', async () => {
    const source = failover();
    modes.primary = 'fail';
    for (const issue of ['1', '2']) {
      const result = await source.byKey(ref(issue));
      assert.equal(result.source, 'secondary');
      assert.deepEqual(result.records[0]?.payload, { issue: Number(issue), from: 'secondary' });
    }
    assert.deepEqual(changes, [['primary', 'open']]);
    const [primary] = source.health();
    assert.equal(primary?.state, 'open');
    assert.equal(primary?.consecutiveFailures, 2);
    assert.equal(primary?.retryAt, clock.now() + 30_000);
    assert.match(primary?.lastError ?? '', /HTTP 500/);

    // While open, the primary is not even asked.
    const hits = primaryHits();
    assert.equal((await source.byKey(ref('3'))).source, 'secondary');
    assert.equal(primaryHits(), hits);

    // After the cooldown the recovered primary gets its trial and takes over again.
    modes.primary = 'ok';
    clock.advance(30_000);
    const result = await source.byKey(ref('4'));
    assert.equal(result.source, 'primary');
    assert.equal(primaryHits(), hits + 1);
    assert.deepEqual(changes, [
      ['primary', 'open'],
      ['primary', 'half-open'],
      ['primary', 'closed'],
    ]);
    assert.equal(source.health()[0]?.state, 'closed');
  });

  it('re-opens the primary when its half-open trial fails', async () => {
    const source = failover();
    modes.primary = 'fail';
    await source.byKey(ref('1'));
    await source.byKey(ref('2'));
    clock.advance(30_000);
    assert.equal((await source.byKey(ref('3'))).source, 'secondary');
    assert.deepEqual(
      changes.map(([, s]) => s),
      ['open', 'half-open', 'open'],
    );
    assert.equal(source.health()[0]?.retryAt, clock.now() + 30_000);
  });

  it('asks the secondary when the primary says not found, without counting it as a failure', async () => {
    const source = failover();
    modes.primary = 'missing';
    for (const issue of ['10', '11', '12'])
      assert.equal((await source.byKey(ref(issue))).source, 'secondary');
    const [primary] = source.health();
    assert.equal(primary?.state, 'closed');
    assert.equal(primary?.consecutiveFailures, 0);
    assert.deepEqual(changes, []);
  });

  it('throws SOURCE_NOT_FOUND when every source says not found', async () => {
    modes.primary = 'missing';
    modes.secondary = 'missing';
    const err = await failure(failover().byKey(ref('20')));
    assert.equal(err.code, 'SOURCE_NOT_FOUND');
    assert.equal(err.retryable, false);
    assert.deepEqual(err.details.notFound, ['primary', 'secondary']);
  });

  it('throws a retryable SOURCE_UNAVAILABLE with each error when a source failed and the rest said not found', async () => {
    modes.primary = 'fail';
    modes.secondary = 'missing';
    const err = await failure(failover().byKey(ref('30')));
    assert.equal(err.code, 'SOURCE_UNAVAILABLE');
    assert.equal(err.retryable, true);
    const errors = err.details.errors as { source: string; code: string }[];
    assert.deepEqual(
      errors.map((e) => [e.source, e.code]),
      [['primary', 'SOURCE_HTTP']],
    );
    assert.deepEqual(err.details.notFound, ['secondary']);
  });

  it('says when the next trial is allowed once every breaker is open, without calling anyone', async () => {
    const source = failover();
    modes.primary = 'fail';
    modes.secondary = 'fail';
    await failure(source.byKey(ref('1')));
    await failure(source.byKey(ref('2')));
    const hits = upstream.requests.length;
    clock.advance(10_000);
    const err = await failure(source.byKey(ref('3')));
    assert.equal(err.code, 'SOURCE_UNAVAILABLE');
    assert.equal(err.retryable, true);
    assert.equal(err.details.retryAfterMs, 20_000);
    assert.match(err.message, /circuit is open.*next trial at 2025-10-03T00:00:30\.000Z/);
    assert.equal(upstream.requests.length, hits);
  });

  it('skips sources that do not support a call', async () => {
    const rangeOnly = createFunctionSource({
      name: 'archive',
      byRange: (from, to) => [
        { key: `${from.vars.partition}-${to.vars.partition}`, partition: 1, payload: null },
      ],
    });
    const source = failover([httpSource('primary'), rangeOnly]);
    assert.deepEqual(source.capabilities, { latest: false, byKey: true, byRange: true });
    const result = await source.byRange(ref('1'), ref('5'));
    assert.equal(result.source, 'archive');
    assert.equal(result.records[0]?.key, '1-5');
    assert.equal((await failure(source.latest())).code, 'SOURCE_UNSUPPORTED');
  });

  it("hands the caller's pacer to each source it asks: one pace per request sent", async () => {
    modes.primary = 'fail';
    let paced = 0;
    const result = await failover().byKey(ref('4'), undefined, async () => {
      paced++;
    });
    assert.equal(result.source, 'secondary');
    assert.equal(paced, 2);
  });
});
