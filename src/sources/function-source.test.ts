import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GapwardenError } from '../internal/errors.js';
import { createFunctionSource } from './function-source.js';

const ref = (partition: string) => ({ ordinal: Number(partition), vars: { partition } });

async function failure(promise: Promise<unknown>): Promise<GapwardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GapwardenError, `expected a GapwardenError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('function source', () => {
  const archive = new Map([['7', { n: 7 }]]);
  const source = createFunctionSource({
    name: 'archive',
    byKey: (p) => {
      const payload = archive.get(p.vars.partition ?? '');
      return payload ? [{ key: p.vars.partition ?? '', partition: Number(p.vars.partition), payload }] : null;
    },
    latest: async () => {
      throw new Error('disk on fire');
    },
  });

  it('reports the functions it has as capabilities', () => {
    assert.deepEqual(source.capabilities, { latest: true, byKey: true, byRange: false });
  });

  it('returns the records tagged with its name', async () => {
    assert.deepEqual(await source.byKey(ref('7')), {
      records: [{ key: '7', partition: 7, payload: { n: 7 } }],
      rejected: [],
      source: 'archive',
    });
  });

  it('turns null into SOURCE_NOT_FOUND', async () => {
    const err = await failure(source.byKey(ref('8')));
    assert.equal(err.code, 'SOURCE_NOT_FOUND');
    assert.equal(err.retryable, false);
  });

  it('wraps a thrown error as retryable SOURCE_UNAVAILABLE, keeping the cause', async () => {
    const err = await failure(source.latest());
    assert.equal(err.code, 'SOURCE_UNAVAILABLE');
    assert.equal(err.retryable, true);
    assert.match(err.message, /disk on fire/);
    assert.ok(err.cause instanceof Error);
  });

  it('awaits the pacer once per call, before the function runs', async () => {
    const order: string[] = [];
    const paced = createFunctionSource({
      name: 'paced',
      byRange: () => {
        order.push('call');
        return [];
      },
    });
    await paced.byRange(ref('1'), ref('9'), undefined, async () => {
      order.push('pace');
    });
    assert.deepEqual(order, ['pace', 'call']);
  });

  it('throws SOURCE_UNSUPPORTED for a call without a function', async () => {
    assert.equal((await failure(source.byRange(ref('1'), ref('2')))).code, 'SOURCE_UNSUPPORTED');
  });
});
