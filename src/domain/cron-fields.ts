/** What every cron error says is accepted, so messages and docs agree. */
export const CRON_FORMS =
  "use 5 fields 'minute hour day month weekday' such as '0 2 * * *', 6 with seconds first such as '*/10 * * * * *', or one of @yearly, @monthly, @weekly, @daily, @hourly";

/** The nicknames croner expands (case-insensitive). */
const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Why `expression` does not have the shape of a cron gapwarden accepts (5 or 6
 * fields, or a nickname), or undefined when it has. Checked before croner,
 * whose own message also offers a 7-field form that gapwarden does not accept.
 */
export function cronShapeProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (text.startsWith('@')) {
    return NICKNAMES.has(text.toLowerCase())
      ? undefined
      : `cron ${JSON.stringify(expression)} is not valid: not a known nickname; ${CRON_FORMS}`;
  }
  const fields = text === '' ? 0 : text.split(/\s+/).length;
  if (fields === 5 || fields === 6) return undefined;
  return `cron ${JSON.stringify(expression)} is not valid: it has ${fields} field${fields === 1 ? '' : 's'}; ${CRON_FORMS}`;
}
