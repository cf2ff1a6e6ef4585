/** How the rollups runtime paces itself; the defaults suit `serve`. */
export interface RollupsOptions {
  /** Records read and applied per transaction. @default 5000 */
  chunk?: number;
  /** How often `serve` looks for records not yet applied, besides reacting to ingests. @default 1000 */
  pollMs?: number;
  /**
   * After an ingest inserted records, how long `serve` waits before applying
   * them, so that the ingests of that moment are applied together (each
   * touched cell is read, merged and written once per catch-up). @default 100
   */
  settleMs?: number;
}

export const DEFAULT_ROLLUP_CHUNK = 5000;
export const DEFAULT_ROLLUP_POLL_MS = 1000;
export const DEFAULT_ROLLUP_SETTLE_MS = 100;
