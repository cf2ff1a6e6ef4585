import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertMessage } from './alert-message.js';
import { alertSlackMrkdwn, toHtml, toMarkdown, truncateUtf8 } from './message-formats.js';

const message = (heading: string, value: string): AlertMessage => ({
  language: 'en',
  kind: 'firing',
  tone: 'critical',
  title: `[P0] FIRING: ${heading}`,
  intro: 'gapwarden raised 1 alert.',
  alerts: [
    {
      id: 3,
      colon: ': ',
      severity: 'P0',
      heading: `[P0] ${heading}`,
      facts: [{ label: 'Labels', value }],
      link: { label: 'View alert #3', url: 'http://host/alerts/3?a=1&b=(2)' },
    },
  ],
  more: undefined,
  link: { label: 'Open the alerts page', url: 'http://host/alerts' },
  footer: 'gapwarden · receiver ops',
  colon: ': ',
});

describe('message formats', () => {
  const hostile = message(
    '<img src=x onerror=alert(1)> *bold* [link](http://evil)',
    'team=<b>"ops"</b> & co',
  );

  it('escapes outside text in HTML, so a label cannot become a tag', () => {
    const page = toHtml(hostile);
    assert.doesNotMatch(page, /<img|<b>/);
    assert.match(page, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(page, /team=&lt;b&gt;&quot;ops&quot;&lt;\/b&gt; &amp; co/);
    assert.match(page, /<a href="http:\/\/host\/alerts\/3\?a=1&amp;b=\(2\)">View alert #3<\/a>/);
    assert.match(page, /<html lang="en">/);
  });

  it('escapes outside text in Markdown, so a summary cannot become a link or emphasis', () => {
    const text = toMarkdown(hostile);
    assert.match(text, /^### \\\[P0\\\] FIRING: &lt;img/);
    assert.match(text, /\\\*bold\\\* \\\[link\\\]\(http:\/\/evil\)/);
    assert.doesNotMatch(text, /(?<!\\)\[link\]/);
    assert.match(text, /\[View alert #3\]\(http:\/\/host\/alerts\/3\?a=1&b=%282%29\)/);
    assert.match(toMarkdown(hostile, { title: false }), /^gapwarden raised 1 alert\./);
  });

  it("escapes outside text in Slack's mrkdwn (&, < and >) and links with <url|label>", () => {
    const text = alertSlackMrkdwn(hostile.alerts[0]!);
    assert.match(text, /^\*\[P0\] &lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(text, /team=&lt;b&gt;"ops"&lt;\/b&gt; &amp; co/);
    assert.match(text, /<http:\/\/host\/alerts\/3\?a=1&b=\(2\)\|View alert #3>$/);
  });

  it('cuts text to a number of UTF-8 bytes on a character boundary', () => {
    assert.equal(truncateUtf8('short', 10), 'short');
    const cut = truncateUtf8('告警告警告警', 10);
    assert.equal(cut, '告警…');
    assert.ok(Buffer.byteLength(cut) <= 10);
  });
});
