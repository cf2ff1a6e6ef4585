import type { Partitioning } from '../domain/partitioning.js';
import type { ConfigIssue } from '../internal/errors.js';
import type { HttpSourceOptions } from '../sources/http/http-source-schema.js';
import { allowedVariables, findTemplateProblems, PARTITION_VARS } from '../sources/http/templates.js';

/**
 * Placeholders for partition variables the dataset's partitioning does not
 * provide (`${date}`, `${from.iso}`, ... on a sequence): such a request could
 * never be rendered, so it is refused at startup rather than at the first
 * backfill. Unknown placeholders of any other kind are the source schema's to report.
 */
export function partitionPlaceholderIssues(
  at: string,
  partitioning: Partitioning,
  sources: readonly { type: string }[],
): ConfigIssue[] {
  const provided = new Set(Object.keys(partitioning.describe(partitioning.firstOrdinal ?? 0)));
  const missing = PARTITION_VARS.filter((name) => !provided.has(name));
  if (missing.length === 0) return [];
  const unavailable = new Set(missing.flatMap((name) => [name, `from.${name}`, `to.${name}`]));
  const issues: ConfigIssue[] = [];
  sources.forEach((source, i) => {
    if (source.type !== 'http') return;
    const o = source as HttpSourceOptions;
    for (const scope of ['byKey', 'byRange'] as const) {
      const req = o[scope];
      if (!req) continue;
      const allowed = new Set(
        [...allowedVariables(scope, scope === 'byRange' && o.byRange?.pagination !== undefined)].filter(
          (name) => !unavailable.has(name),
        ),
      );
      const path = `${at}.sources[${i}].${scope}`;
      const problems = [
        ...findTemplateProblems(req.url, allowed, `${path}.url`),
        ...findTemplateProblems(req.query, allowed, `${path}.query`),
        ...findTemplateProblems(req.headers, allowed, `${path}.headers`),
        ...findTemplateProblems(req.body, allowed, `${path}.body`),
      ];
      for (const p of problems) {
        if (!unavailable.has(p.placeholder)) continue;
        issues.push({
          path: p.path,
          expected: `a placeholder a ${partitioning.kind} partition provides: ${[...allowed].sort().join(', ')}`,
          found: `\${${p.placeholder}}`,
          message:
            partitioning.kind === 'sequence'
              ? `\${${p.placeholder}} does not exist here: a sequence partition is a number: use \${partition} (\${from}/\${to} in byRange)`
              : `\${${p.placeholder}} does not exist for this partitioning`,
        });
      }
    }
  });
  return issues;
}
