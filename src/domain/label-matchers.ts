/**
 * Label matchers, as alert routes, inhibition rules and silences write them:
 * `name=value`, `name!=value`, `name=~regex`, `name!~regex` (the regex must
 * match the whole value, as in Prometheus). A label that is absent has the
 * value `''`. Pure, shared by the config layer (which compiles them) and the
 * alerts module (which applies them).
 */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parses one matcher; returns a reason (for an error message) when it is not one. */
export function parseLabelMatcher(text: string): LabelMatcher | string {
  const m = MATCHER.exec(text);
  if (!m) return `"${text}" is not a matcher such as dataset=draws, severity!=P2 or rule=~"gap.*"`;
  const op = m[2] as LabelMatcher['op'];
  let value = m[3]!;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(`^(?:${value})$`);
    } catch (err) {
      return `"${text}": ${(err as Error).message}`;
    }
  }
  return { name: m[1]!, op, value };
}

const regexCache = new Map<string, RegExp>();
function anchored(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

/** Whether one matcher holds for the labels. */
export function matchesLabel(m: LabelMatcher, labels: Readonly<Record<string, string>>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return anchored(m.value).test(v);
    case '!~':
      return !anchored(m.value).test(v);
  }
}

/** Whether every matcher holds (an empty list matches everything). */
export function matchesAll(
  matchers: readonly LabelMatcher[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return matchers.every((m) => matchesLabel(m, labels));
}

/** A matcher as text, the way it is parsed. */
export function formatLabelMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${/[\s,"]/.test(m.value) || m.value === '' ? JSON.stringify(m.value) : m.value}`;
}
