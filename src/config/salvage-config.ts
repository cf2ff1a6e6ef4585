import type { z } from 'zod';
import type { ConfigIssue } from '../internal/errors.js';
import { configSchema, type GapwardenConfig } from './config-schema.js';

/** Sections whose entries are left out one by one; any other section is left out whole. */
const KEYED = new Set(['datasets', 'jobs']);

/** Entries nested in a section that are left out one by one too: `alerts.receivers.<name>`. */
const NESTED_KEYED: readonly (readonly [string, string])[] = [['alerts', 'receivers']];

/**
 * Leaves out of `value` each dataset, job or section that has a schema issue
 * or an unresolved environment reference, so the rest can still be compiled and
 * its problems (a bad time zone, a bad cron) reported in the same round.
 * Undefined when what is left still does not validate.
 */
export function salvageConfig(
  value: unknown,
  schemaIssues: readonly z.core.$ZodIssue[],
  envIssues: readonly ConfigIssue[],
): GapwardenConfig | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const top: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const entries = (section: string) => {
    const v = top[section];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const copy = { ...(v as Record<string, unknown>) };
    top[section] = copy;
    return copy;
  };
  const datasets = entries('datasets');
  const jobs = entries('jobs');
  // Copies of the nested sections, so an entry can be left out without touching the input.
  const nested = new Map<string, Record<string, unknown>>();
  for (const [section, inner] of NESTED_KEYED) {
    const outer = top[section];
    if (outer === null || typeof outer !== 'object' || Array.isArray(outer)) continue;
    const copy = { ...(outer as Record<string, unknown>) };
    top[section] = copy;
    const v = copy[inner];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const entriesCopy = { ...(v as Record<string, unknown>) };
    copy[inner] = entriesCopy;
    nested.set(`${section}.${inner}`, entriesCopy);
  }
  /** Leaves out the nested entry a path points into; false when it points into none. */
  const omitNested = (path: readonly PropertyKey[]): boolean => {
    const [section, inner, key] = path;
    const keyed = nested.get(`${String(section)}.${String(inner)}`);
    if (!keyed || key === undefined) return false;
    delete keyed[String(key)];
    return true;
  };

  const omit = (section: string, key: string | undefined) => {
    const keyed = section === 'datasets' ? datasets : section === 'jobs' ? jobs : undefined;
    if (key !== undefined && keyed) {
      delete keyed[key];
    } else if (section === 'datasets') {
      top.datasets = {}; // required: an empty set keeps the rest valid
    } else {
      delete top[section];
    }
  };

  for (const issue of schemaIssues) {
    const [section, key] = issue.path;
    if (section === undefined) {
      if (issue.code !== 'unrecognized_keys') return undefined;
      for (const k of issue.keys) delete top[k];
    } else if (!omitNested(issue.path)) {
      omit(String(section), KEYED.has(String(section)) && key !== undefined ? String(key) : undefined);
    }
  }
  for (const issue of envIssues) {
    if (omitNested(issue.path.split(/[.[]/).slice(0, 3))) continue;
    const section = /^[^.[]*/.exec(issue.path)?.[0] ?? '';
    const keyed = section === 'datasets' ? datasets : section === 'jobs' ? jobs : undefined;
    const key = Object.keys(keyed ?? {}).find((k) => {
      const at = `${section}.${k}`;
      return issue.path === at || issue.path.startsWith(`${at}.`) || issue.path.startsWith(`${at}[`);
    });
    omit(section, key);
  }

  const again = configSchema.safeParse(top, { reportInput: false });
  return again.success ? (again.data as GapwardenConfig) : undefined;
}

/**
 * Whether a compile issue only follows from a dataset's own problem, already
 * reported: a job naming a dataset that is written in the configuration but
 * could not be compiled (or was left out by {@link salvageConfig}).
 */
export function followsFromBrokenDataset(
  issue: ConfigIssue,
  value: unknown,
  compiled: readonly { name: string }[],
): boolean {
  if (!issue.path.endsWith('.dataset')) return false;
  const written = (value as { datasets?: unknown } | null)?.datasets;
  if (written === null || typeof written !== 'object') return false;
  return Object.keys(written).some(
    (name) => issue.found === JSON.stringify(name) && !compiled.some((d) => d.name === name),
  );
}
