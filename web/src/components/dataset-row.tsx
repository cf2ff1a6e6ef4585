import type { ComponentChildren } from 'preact';
import type { DatasetStatus } from '../api/types';
import { formatCount, formatPartition, formatPlural } from '../format';
import { datasetHref } from '../route';
import { BackfillQueue } from './backfill-queue';
import { CompletenessBar } from './completeness-bar';
import { Freshness } from './freshness';
import { SourceList } from './source-list';
import { StatusBadge } from './status-badge';

/** A table cell whose `data-label` names it when the row is shown as a card (narrow windows). */
function Cell({
  label,
  class: cls,
  children,
}: {
  label: string;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <td data-label={label} class={cls}>
      <div>{children}</div>
    </td>
  );
}

/** One dataset on the overview, with a stripe in its status colour. */
export function DatasetRow({ dataset: d, nowMs }: { dataset: DatasetStatus; nowMs: number }) {
  return (
    <tr class={`dataset-row row-${d.status}`} data-dataset={d.name} data-status={d.status}>
      <th scope="row" data-label="Dataset">
        <div>
          <a class="dataset-link" href={datasetHref(d.name)}>
            {d.name}
          </a>
          <span class="dataset-sub">
            {d.kind} · {formatPlural(d.records, 'record')} · last {formatPartition(d.last)}
          </span>
        </div>
      </th>
      <Cell label="Status">
        <StatusBadge status={d.status} />
        {d.reasons.length > 0 ? (
          <ul class="reasons">
            {d.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : null}
      </Cell>
      <Cell label="Last record">
        <Freshness dataset={d} />
      </Cell>
      <Cell label="Complete">
        <CompletenessBar percent={d.coveragePercent} />
      </Cell>
      <Cell label="Open gaps" class={d.openGaps > 0 ? 'tone-bad' : 'muted'}>
        {d.openGaps === 0 ? (
          'none'
        ) : (
          <span data-testid="open-gaps">
            <strong>{d.openGaps}</strong> ({formatCount(d.missingPartitions)} missing)
          </span>
        )}
      </Cell>
      <Cell label="Known missing" class={d.knownMissing > 0 ? '' : 'muted'}>
        {d.knownMissing === 0 ? 'none' : formatCount(d.knownMissing)}
      </Cell>
      <Cell label="Backfill queue">
        <BackfillQueue backfill={d.backfill} />
      </Cell>
      <Cell label="Sources">
        <SourceList sources={d.sources} nowMs={nowMs} />
      </Cell>
    </tr>
  );
}
