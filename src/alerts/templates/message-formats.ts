import type { AlertMessage, MessageAlert } from './alert-message.js';

/**
 * An {@link AlertMessage} in the text formats the channels take: plain text
 * (e-mail, logs, Alertmanager annotations), Markdown (DingTalk, WeCom,
 * Feishu's lark_md), Slack's mrkdwn and HTML (e-mail). Every piece of text
 * that came from outside (summaries, labels, what was tried) is escaped for
 * the format, so a label cannot turn into a link or a tag.
 */

/** The message as plain text, one fact per line. */
export function toPlainText(m: AlertMessage): string {
  const lines = [m.title, m.intro, ''];
  for (const a of m.alerts) {
    lines.push(alertPlainText(a), '');
  }
  if (m.more) lines.push(m.more, '');
  if (m.link) lines.push(`${m.link.label}${m.colon}${m.link.url}`);
  lines.push(`— ${m.footer}`);
  return lines.join('\n');
}

/** One alert as plain text: its heading and its facts, indented. */
export function alertPlainText(a: MessageAlert): string {
  const lines = [a.heading, ...a.facts.map((f) => `  ${f.label}${a.colon}${f.value}`)];
  if (a.link) lines.push(`  ${a.link.label}${a.colon}${a.link.url}`);
  return lines.join('\n');
}

/** Markdown: a heading, the intro, each alert as a bold line with its facts as a list, the links. */
export function toMarkdown(m: AlertMessage, options: { title?: boolean } = {}): string {
  const parts: string[] = [];
  if (options.title !== false) parts.push(`### ${md(m.title)}`);
  parts.push(md(m.intro));
  for (const a of m.alerts) parts.push(alertMarkdown(a));
  if (m.more) parts.push(md(m.more));
  if (m.link) parts.push(`[${md(m.link.label)}](${mdUrl(m.link.url)})`);
  parts.push(`*${md(m.footer)}*`);
  return parts.join('\n\n');
}

/** One alert in Markdown. */
export function alertMarkdown(a: MessageAlert): string {
  const lines = [`**${md(a.heading)}**`, ...a.facts.map((f) => `- ${md(f.label)}${a.colon}${md(f.value)}`)];
  if (a.link) lines.push(`- [${md(a.link.label)}](${mdUrl(a.link.url)})`);
  return lines.join('\n');
}

/** One alert in Slack's mrkdwn. */
export function alertSlackMrkdwn(a: MessageAlert): string {
  const lines = [
    `*${slack(a.heading)}*`,
    ...a.facts.map((f) => `• ${slack(f.label)}${a.colon}${slack(f.value)}`),
  ];
  if (a.link) lines.push(slackLink(a.link.url, a.link.label));
  return lines.join('\n');
}

/** A link in Slack's mrkdwn: `<url|label>`. */
export function slackLink(url: string, label: string): string {
  return `<${slackUrl(url)}|${slack(label)}>`;
}

/** Text escaped for Slack's mrkdwn, as Slack documents: `&`, `<` and `>` only. */
export function slack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function slackUrl(url: string): string {
  return url.replaceAll('|', '%7C').replaceAll('>', '%3E').replaceAll('<', '%3C');
}

/** The message as an HTML document for e-mail: one table of facts per alert. */
export function toHtml(m: AlertMessage): string {
  const colour = TONE_COLOURS[m.tone];
  const alerts = m.alerts
    .map((a) => {
      const rows = a.facts
        .map(
          (f) =>
            `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555">${html(f.label)}</th><td style="padding:2px 0">${html(f.value)}</td></tr>`,
        )
        .join('');
      const link = a.link ? `<p><a href="${html(a.link.url)}">${html(a.link.label)}</a></p>` : '';
      return `<h3 style="margin:16px 0 4px">${html(a.heading)}</h3><table>${rows}</table>${link}`;
    })
    .join('\n');
  return [
    `<!doctype html><html lang="${html(m.language)}"><head><meta charset="utf-8"><title>${html(m.title)}</title></head>`,
    '<body style="font-family:sans-serif;font-size:14px">',
    `<h2 style="margin:0 0 8px;color:${colour}">${html(m.title)}</h2>`,
    `<p>${html(m.intro)}</p>`,
    alerts,
    m.more ? `<p>${html(m.more)}</p>` : '',
    m.link ? `<p><a href="${html(m.link.url)}">${html(m.link.label)}</a></p>` : '',
    `<p style="color:#888">${html(m.footer)}</p>`,
    '</body></html>',
  ].join('\n');
}

/** A colour per tone for channels that colour messages (e-mail headings). */
export const TONE_COLOURS = {
  critical: '#c62828',
  warning: '#ef6c00',
  info: '#1565c0',
  resolved: '#2e7d32',
} as const;

/** Text escaped for HTML (element content and quoted attributes). */
export function html(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Text escaped for Markdown: emphasis, code and link characters get a
 * backslash; angle brackets become entities (WeCom and DingTalk pass some HTML
 * tags through); line breaks become spaces, so text stays inside its list item.
 */
export function md(text: string): string {
  return text
    .replace(/[\\`*_[\]]/g, (c) => `\\${c}`)
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/\r?\n/g, ' ');
}

/** A URL as a Markdown link target: spaces and parentheses would end it early. */
function mdUrl(url: string): string {
  return url.replaceAll(' ', '%20').replaceAll('(', '%28').replaceAll(')', '%29');
}

/**
 * `text` cut to at most `maxBytes` of UTF-8, on a character boundary, with
 * `marker` at the end when cut (WeCom refuses Markdown over 4096 bytes).
 */
export function truncateUtf8(text: string, maxBytes: number, marker = '…'): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(marker);
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (used + size > budget) break;
    out += ch;
    used += size;
  }
  return out + marker;
}
