import type { ComponentChildren } from 'preact';
import type { DatasetDetail } from '../api/types';
import { formatCount, formatPartition, formatPlural } from '../format';
import { BackfillQueue } from './backfill-queue';
import { CompletenessBar } from './completeness-bar';
import { Freshness } from './freshness';
import { SourceList } from './source-list';

function Tile({ label, children, testid }: { label: string; children: ComponentChildren; testid?: string }) {
  return (
    <div class="tile" data-testid={testid}>
      <div class="tile-label">{label}</div>
      <div class="tile-value">{children}</div>
    </div>
  );
}

/** The dataset's numbers at a glance, the same ones as its row on the overview. */
export function DatasetSummary({ detail, nowMs }: { detail: DatasetDetail; nowMs: number }) {
  const d = detail.dataset;
  const ranges = detail.coverage.present.length;
  return (
    <div class="tiles">
      <Tile label="Complete" testid="coverage">
        <CompletenessBar percent={d.coveragePercent} />
      </Tile>
      <Tile label="Last record">
        <Freshness dataset={d} />
      </Tile>
      <Tile label="Partitions">
        <span class="mono">
          {formatPartition(d.first)} … {formatPartition(d.last)}
        </span>
        <span class="tile-sub">
          {formatPlural(d.records, 'record')}
          {ranges > 1 ? ` in ${ranges} separate ranges` : ''}
          {d.rejected > 0 ? `, ${formatCount(d.rejected)} rejected` : ''}
        </span>
      </Tile>
      <Tile label="Open gaps" testid="open-gaps">
        <span class={d.openGaps > 0 ? 'tone-bad' : 'tone-good'}>
          {d.openGaps === 0 ? 'none' : d.openGaps}
        </span>
        {d.openGaps > 0 ? (
          <span class="tile-sub">{formatPlural(d.missingPartitions, 'partition')} missing</span>
        ) : null}
      </Tile>
      <Tile label="Known missing">
        {d.knownMissing === 0 ? <span class="muted">none</span> : formatCount(d.knownMissing)}
        <span class="tile-sub">the source has none</span>
      </Tile>
      <Tile label="Backfill queue">
        <BackfillQueue backfill={d.backfill} />
      </Tile>
      <Tile label="Sources">
        <SourceList sources={d.sources} nowMs={nowMs} />
      </Tile>
    </div>
  );
}
