// The common shapes of a job's schedule in plain words, beside the schedule as configured
// ("cron */5 * * * * * (Asia/Shanghai)" → "every 5 s"). Anything else gets no words:
// the configured text is always shown, so a guess is never needed.

const NUMBER = /^\d+$/;
const STEP = /^\*\/(\d+)$/;

function pad(n: string): string {
  return n.padStart(2, '0');
}

/** Plain words for one cron expression (5 fields, or 6 with seconds first), or null. */
export function cronInWords(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return null;
  const [sec, min, hour, dom, mon, dow] = fields.length === 6 ? fields : ['0', ...fields];
  if (sec === undefined || min === undefined || hour === undefined) return null;
  if (dom !== '*' || mon !== '*' || dow !== '*') return null;
  const step = (f: string) => STEP.exec(f)?.[1];
  if (hour === '*' && min === '*') {
    if (sec === '*') return 'every second';
    const s = step(sec);
    if (s) return `every ${s} s`;
    if (NUMBER.test(sec)) return 'every minute';
    return null;
  }
  if (!NUMBER.test(sec) || Number(sec) !== 0) return null;
  if (hour === '*') {
    const m = step(min);
    if (m) return `every ${m} min`;
    if (NUMBER.test(min)) return `every hour at :${pad(min)}`;
    return null;
  }
  if (NUMBER.test(hour) && NUMBER.test(min)) return `daily at ${pad(hour)}:${pad(min)}`;
  return null;
}

/**
 * Plain words for a schedule as the API describes it ("cron 0 2 * * * (Asia/Shanghai)"),
 * or null when it is not one simple cron rule (every-rules already read as words).
 */
export function scheduleInWords(schedule: string): string | null {
  const match = /^cron (.+?)(?: \(([^)]+)\))?$/.exec(schedule);
  if (!match?.[1]) return null;
  const words = cronInWords(match[1]);
  if (!words) return null;
  return words.startsWith('daily') && match[2] ? `${words} ${match[2]}` : words;
}
