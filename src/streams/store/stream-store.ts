/**
 * The streams module's part of the store: per-topic checkpoints (what each
 * pipeline consumed, acknowledged and dead-lettered, and when it last
 * committed), per-minute activity for the dashboard's charts, and the batch
 * reports. Written at each commit, before the messages are acknowledged.
 * `test/streams-store-contract.test.ts` runs on every adapter.
 */

/** What one commit adds for one topic of one pipeline. */
export interface TopicCommit {
  pipeline: string;
  topic: string;
  /** Messages acknowledged by this commit. */
  acked: number;
  /** Of them, those sent to the dead-letter topic. */
  deadLetters: number;
  /** The engine id of the newest acknowledged message. */
  lastId: string | null;
  /** Lag after the commit, when the engine told it. */
  lag: number | null;
}

export interface TopicCheckpoint {
  pipeline: string;
  topic: string;
  acked: number;
  deadLetters: number;
  lastId: string | null;
  lag: number | null;
  committedAt: number;
}

/** A batch report as stored (the pipeline's report without the per-key results). */
export interface StoredBatchReport {
  pipeline: string;
  batchId: string;
  windowEnd: number;
  status: 'complete' | 'timed-out';
  openedAt: number;
  closedAt: number;
  expectedKeys: readonly string[];
  reportedKeys: number;
  missingKeys: readonly string[];
  missingTopics: readonly string[];
  availabilityRatio: number;
}

/** Messages, dead letters and batches of one pipeline in one minute. */
export interface StreamMinute {
  pipeline: string;
  /** Start of the minute (ms). */
  minute: number;
  messages: number;
  deadLetters: number;
  batches: number;
  /** Mean availability of the minute's batches (null without batches). */
  availability: number | null;
  /** Module runs that threw (the window's other modules and keys went on). */
  moduleFailures: number;
}

export interface BatchSummary {
  batches: number;
  timedOut: number;
  /** Availability of the newest batch (null: none). */
  lastAvailability: number | null;
  minAvailability: number | null;
}

export interface StreamStore {
  /** Records one commit: checkpoints, the minute's activity and the batch reports, in one transaction. */
  saveCommit(commit: {
    at: number;
    topics: readonly TopicCommit[];
    batches: readonly StoredBatchReport[];
    /** Module runs that threw since the previous commit, per pipeline. */
    moduleFailures?: readonly { pipeline: string; count: number }[];
  }): Promise<void>;
  checkpoints(pipeline?: string): Promise<TopicCheckpoint[]>;
  /** Newest first. */
  recentBatches(options: { pipeline?: string; limit: number }): Promise<StoredBatchReport[]>;
  /** Oldest first, minutes starting at or after `since`. */
  minutes(options: { pipeline?: string; since: number }): Promise<StreamMinute[]>;
  /** Batches that closed at or after `since`. */
  batchSummary(pipeline: string, since: number): Promise<BatchSummary>;
}

export const MINUTE_MS = 60_000;
