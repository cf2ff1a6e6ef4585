// `npm run bench [suite...]`: runs the benchmark suites side by side with their baselines.

import { type SuiteResult, writeSuite } from './lib/report.js';
import { runAlertsBench } from './suites/alerts.js';
import { runArchiveBench } from './suites/archive.js';
import { runBackfillRangeBench } from './suites/backfill-range.js';
import { runChecksConsistencyBench } from './suites/checks-consistency.js';
import { runChecksRepairBench } from './suites/checks-repair.js';
import { runContinuityBench } from './suites/continuity.js';
import { runDetectToFillBench } from './suites/detect-to-fill.js';
import { runGapsBench } from './suites/gaps.js';
import { runIngestPostgresBench } from './suites/ingest-postgres.js';
import { runIngestBench } from './suites/ingest-sqlite.js';
import { runPartitioningBench } from './suites/partitioning.js';
import { runPushIngestBench } from './suites/push-ingest.js';
import { runRollupsBench } from './suites/rollups.js';
import { runSchedulerBench } from './suites/scheduler.js';
import { runSketchesBench } from './suites/sketches.js';
import { runStreamsE2eBench } from './suites/streams-e2e.js';
import { runStreamsPipelineBench } from './suites/streams-pipeline.js';

const suites: Record<string, () => Promise<SuiteResult>> = {
  'ingest-sqlite': runIngestBench,
  'ingest-postgres': runIngestPostgresBench,
  continuity: runContinuityBench,
  partitioning: runPartitioningBench,
  gaps: runGapsBench,
  'detect-to-fill': runDetectToFillBench,
  scheduler: runSchedulerBench,
  'push-ingest': runPushIngestBench,
  'backfill-range': runBackfillRangeBench,
  alerts: runAlertsBench,
  'checks-consistency': runChecksConsistencyBench,
  'checks-repair': runChecksRepairBench,
  'streams-pipeline': runStreamsPipelineBench,
  'streams-e2e': runStreamsE2eBench,
  sketches: runSketchesBench,
  rollups: runRollupsBench,
  archive: runArchiveBench,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.error(`running ${name}...`);
  writeSuite(await run());
}
