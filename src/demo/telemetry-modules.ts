import type { StreamModuleContext } from '../config/stream-functions.js';

/**
 * The telemetry pipeline's two modules. They are written into the demo's
 * `gapwarden.config.ts` as source text (`Function.prototype.toString`), so
 * each one is self-contained: no imports, no helpers from this file.
 */

/** `meanPower`: one station's mean output over its window, the dropped samples filled linearly. */
export interface MeanPower {
  /** Mean of the window's values, real and filled (kW, 2 decimals). */
  mean: number;
  /** The window's newest real sample (the slot that closed it). */
  latest: number;
  /** Real samples in the window. */
  samples: number;
  /** Slots without a sample that linear fill gave a value. */
  filled: number;
}

/** `anomaly`: the station's latest sample against its window mean; `flagged` beyond the calibrated tolerance. */
export interface StationHealth extends MeanPower {
  /** |latest − mean| / mean, 3 decimals. */
  deviation: number;
  /** The calibration's tolerance the window saw (null: none received yet, nothing flagged). */
  tolerance: number | null;
  flagged: boolean;
}

export function meanPower(ctx: StreamModuleContext): MeanPower | null {
  // The pipeline has one keyed topic (telemetry); the calibration topic is global.
  const series = Object.values(ctx.window.topics)[0];
  if (!series) return null;
  const power = series.values.power ?? [];
  const known = power.filter((v): v is number => typeof v === 'number');
  if (known.length === 0) return null;
  const filled = power.filter((v, i) => typeof v === 'number' && !series.present[i]).length;
  const newest = power[power.length - 1];
  return {
    mean: Math.round((known.reduce((a, b) => a + b, 0) / known.length) * 100) / 100,
    latest: typeof newest === 'number' ? newest : Number.NaN,
    samples: series.count,
    filled,
  };
}

export function anomaly(ctx: StreamModuleContext): StationHealth {
  const mean = ctx.inputs.meanPower as MeanPower;
  const calibration = Object.values(ctx.global)[0]?.payload;
  const tolerance = typeof calibration?.tolerance === 'number' ? calibration.tolerance : null;
  const deviation = mean.mean > 0 ? Math.abs(mean.latest - mean.mean) / mean.mean : 0;
  return {
    ...mean,
    deviation: Math.round(deviation * 1000) / 1000,
    tolerance,
    flagged: tolerance !== null && deviation > tolerance,
  };
}
