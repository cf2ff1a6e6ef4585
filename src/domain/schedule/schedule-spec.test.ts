import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, GapwardenError } from '../../internal/errors.js';
import { compileSchedule } from './compile-schedule.js';
import { type ScheduleSpec, scheduleSpecSchema } from './schedule-spec.js';

function configError(spec: unknown): ConfigError {
  try {
    compileSchedule(spec as ScheduleSpec);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.ok(error instanceof GapwardenError);
    assert.equal(error.code, 'CONFIG_INVALID');
    return error;
  }
  assert.fail(`compileSchedule(${JSON.stringify(spec)}) should have thrown`);
}

test('the schema accepts a rule or a list of rules, for embedding in the configuration', () => {
  assert.equal(scheduleSpecSchema.safeParse({ cron: '0 2 * * *', timezone: 'Asia/Shanghai' }).success, true);
  assert.equal(
    scheduleSpecSchema.safeParse([
      { every: '10s', between: ['20:55', '21:05'], jitter: '2s' },
      { cron: '0 * * * *' },
    ]).success,
    true,
  );
  const bad = scheduleSpecSchema.safeParse({ every: '10s', between: ['21:00', '21:00'] });
  assert.deepEqual(
    bad.error?.issues.map((i) => i.path),
    [['between']],
  );
});

describe('invalid specs', () => {
  test('a bad cron names the expression and the expected shape', () => {
    const e = configError({ cron: '61 * * * *' });
    assert.equal(e.issues[0]?.path, 'schedule.cron');
    assert.match(e.message, /cron "61 \* \* \* \*" is not valid .*minute.*'0 2 \* \* \*'/);
  });

  test('a cron that never fires', () => {
    assert.match(configError({ cron: '0 0 30 2 *' }).message, /never fires/);
  });

  test('an unknown time zone', () => {
    const e = configError({ cron: '0 2 * * *', timezone: 'Mars/Olympus' });
    assert.equal(e.issues[0]?.path, 'schedule.timezone');
    assert.match(e.message, /unknown time zone "Mars\/Olympus".*IANA/);
  });

  test('a window whose start equals its end', () => {
    const e = configError({ every: '10s', between: ['21:00', '21:00'] });
    assert.equal(e.issues[0]?.path, 'schedule.between');
    assert.match(e.message, /same time \(21:00\).*\['20:55', '21:05'\]/);
  });

  test('malformed window times', () => {
    assert.match(
      configError({ every: '10s', between: ['9:00', '25:00'] }).message,
      /start "9:00".*end "25:00"/s,
    );
    assert.match(configError({ every: '10s', between: ['24:00', '01:00'] }).message, /start "24:00"/);
  });

  test('a windowed rule that never fires inside its window', () => {
    assert.match(
      configError({ cron: '0 3 * * *', between: ['20:00', '21:00'] }).message,
      /never fires inside/,
    );
  });

  test('neither or both of cron and every', () => {
    assert.match(configError({ timezone: 'UTC' }).message, /exactly one of `cron` or `every`/);
    assert.match(configError({ cron: '* * * * *', every: '1m' }).message, /exactly one of `cron` or `every`/);
  });

  test('every of zero, or an anchor without a zone', () => {
    assert.match(configError({ every: '0s' }).message, /schedule\.every: an interval of at least 1ms/);
    assert.match(configError({ every: '1h', anchor: '2026-01-01T00:00:00' }).message, /schedule\.anchor/);
  });

  test('a time zone on an interval rule without a window points to cron', () => {
    assert.match(configError({ every: '1d', timezone: 'Asia/Shanghai' }).message, /use `cron`/);
  });

  test('unknown fields, wrong types and an empty list; paths name the rule', () => {
    assert.match(configError({ every: '1m', jiter: '1s' }).message, /unknown field jiter/);
    assert.match(configError({ every: true }).message, /schedule\.every/);
    assert.match(configError([]).message, /schedule: /);
    const e = configError([{ every: '1m' }, { cron: 'nope' }]);
    assert.equal(e.issues[0]?.path, 'schedule[1].cron');
  });

  test('the config layer can name where the schedule sits', () => {
    try {
      compileSchedule({ cron: 'x' }, { path: 'jobs.prices.schedule' });
      assert.fail('should throw');
    } catch (error) {
      assert.equal((error as ConfigError).issues[0]?.path, 'jobs.prices.schedule.cron');
    }
  });
});
