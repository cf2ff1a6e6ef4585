import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cronShapeProblem } from './cron-fields.js';

describe('cronShapeProblem', () => {
  it('accepts 5 fields, 6 with seconds and the nicknames, whatever the spacing or case', () => {
    for (const cron of ['0 2 * * *', ' */10  * * * * * ', '@daily', '@HOURLY', '@midnight', '@annually'])
      assert.equal(cronShapeProblem(cron), undefined, cron);
  });

  it('names the field count or the unknown nickname, and the forms that are accepted', () => {
    assert.equal(
      cronShapeProblem('0 0 0 1 1 * 2030'),
      `cron "0 0 0 1 1 * 2030" is not valid: it has 7 fields; use 5 fields 'minute hour day month weekday' such as '0 2 * * *', 6 with seconds first such as '*/10 * * * * *', or one of @yearly, @monthly, @weekly, @daily, @hourly`,
    );
    assert.match(cronShapeProblem('1') ?? '', /it has 1 field;/);
    assert.match(cronShapeProblem('') ?? '', /it has 0 fields;/);
    assert.match(cronShapeProblem('@every 5m') ?? '', /not a known nickname; use 5 fields/);
  });
});
