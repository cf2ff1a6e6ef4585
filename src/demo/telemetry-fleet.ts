/**
 * The demo's simulated station fleet (pure: no I/O, no clock). Every station
 * sends one power sample per second; a few flaky stations drop about a
 * quarter of theirs, and now and then one station reports a spike. Both are
 * decided by a hash of (station, second), so a test can tell which samples
 * were dropped without listening to the broker.
 */

/** Stations S01..S20. */
export const TELEMETRY_STATIONS: readonly string[] = Array.from(
  { length: 20 },
  (_, i) => `S${String(i + 1).padStart(2, '0')}`,
);

/** The stations that drop samples, and how often (out of 100). */
export const FLAKY_STATIONS: Readonly<Record<string, number>> = { S04: 25, S11: 25, S17: 25 };

/** One sample on the telemetry topic. */
export interface TelemetrySample {
  stationId: string;
  /** The second the sample is for (ms since the epoch): its message time. */
  time: number;
  /** Output in kW. */
  power: number;
}

/** The calibration on the global config topic: every window sees the latest one. */
export interface TelemetryCalibration {
  time: number;
  version: number;
  /** A sample deviating from its window's mean by more than this share is flagged. */
  tolerance: number;
}

/** A deterministic 0..99 for (station, second). */
function roll(station: string, second: number, salt: number): number {
  // MurmurHash3's finaliser over the three numbers, so neighbouring seconds look unrelated.
  let h = 0;
  for (const n of [Number(station.slice(1)), second, salt]) {
    h = Math.imul(h ^ n, 0x85eb_ca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2_ae35);
    h ^= h >>> 16;
  }
  return (h >>> 0) % 100;
}

/** Whether `station` drops its sample for the second starting at `timeMs`. */
export function isDropped(station: string, timeMs: number): boolean {
  const rate = FLAKY_STATIONS[station] ?? 0;
  return rate > 0 && roll(station, Math.floor(timeMs / 1000), 1) < rate;
}

/** Whether `station` reports a spike (about 2× its output) at `timeMs`: one sample in a hundred. */
export function isSpike(station: string, timeMs: number): boolean {
  return roll(station, Math.floor(timeMs / 1000), 2) === 0;
}

/** The sample `station` sends for the second at `timeMs`, or null when it drops it. */
export function telemetrySample(station: string, timeMs: number): TelemetrySample | null {
  if (isDropped(station, timeMs)) return null;
  const n = Number(station.slice(1));
  const second = Math.floor(timeMs / 1000);
  const base = 30 + 2 * n + 4 * Math.sin((2 * Math.PI * second) / 60 + n);
  const noise = (roll(station, second, 3) - 50) / 50;
  const power = (base + noise) * (isSpike(station, timeMs) ? 2.2 : 1);
  return { stationId: station, time: second * 1000, power: Math.round(power * 100) / 100 };
}

/** The calibration published every `CALIBRATION_EVERY_MS`: the tolerance alternates so windows show it changing. */
export function telemetryCalibration(timeMs: number, version: number): TelemetryCalibration {
  return { time: timeMs, version, tolerance: version % 2 === 0 ? 0.25 : 0.3 };
}

export const CALIBRATION_EVERY_MS = 15_000;
