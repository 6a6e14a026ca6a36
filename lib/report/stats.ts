/** Aggregation over seeds and the kit's fixed number formats. */

export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  std: number;
  n: number;
}

export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Digits after the point in every percentage the kit writes (CSV, tables, figures). */
export const PERCENT_DIGITS = 2;

/**
 * A fraction as a percentage string with a fixed number of decimals, so float32
 * noise (0.8999999761581421) never reaches a table: 0.9 → "90.00". Empty for
 * a missing value.
 */
export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? "" : (100 * fraction).toFixed(PERCENT_DIGITS);
}

