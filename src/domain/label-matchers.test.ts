import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLabelMatcher, type LabelMatcher, matchesAll, parseLabelMatcher } from './label-matchers.js';

const m = (t: string) => parseLabelMatcher(t) as LabelMatcher;

describe('label matchers', () => {
  it('parses the four operators, with quoted values', () => {
    assert.deepEqual(m('dataset=draws'), { name: 'dataset', op: '=', value: 'draws' });
    assert.deepEqual(m('severity != P2'), { name: 'severity', op: '!=', value: 'P2' });
    assert.deepEqual(m('rule=~"gap-.*"'), { name: 'rule', op: '=~', value: 'gap-.*' });
    assert.deepEqual(m('job!~collect:.*'), { name: 'job', op: '!~', value: 'collect:.*' });
  });

  it('says what is wrong with what is not a matcher', () => {
    assert.match(String(parseLabelMatcher('draws')), /not a matcher such as dataset=draws/);
    assert.match(String(parseLabelMatcher('rule=~(')), /rule=~\(/);
  });

  it('regexes match the whole value; an absent label is empty', () => {
    const labels = { rule: 'gap-large', dataset: 'draws' };
    assert.equal(matchesAll([m('rule=~gap')], labels), false);
    assert.equal(matchesAll([m('rule=~gap.*'), m('dataset=draws')], labels), true);
    assert.equal(matchesAll([m('source=')], labels), true);
    assert.equal(matchesAll([m('source!=')], labels), false);
    assert.equal(matchesAll([], labels), true);
  });

  it('formats back to what parses to the same matcher', () => {
    for (const t of ['dataset=draws', 'comment="a b"', 'rule=~gap.*', 'x!=""'])
      assert.deepEqual(m(formatLabelMatcher(m(t))), m(t));
  });
});
