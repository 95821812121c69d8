/**
 * Log-scale bars, so a variance that shrinks 10× per layer shows as a bar that shrinks steadily.
 * Each bar column has one fixed scale, the same in every run and every table, so two runs can be
 * compared by eye; values beyond it are clipped and marked.
 */

export interface LogScale {
  /** Decades shown: 10^low … 10^high. */
  low: number;
  high: number;
}

/**
 * Cells per bar. With 30 decades that is 3 decades a cell and 3/8 of a decade per eighth-block:
 * fine enough to see a healthy net's 10× spread between layers.
 */
export const BAR_WIDTH = 10;

/**
 * Var(∂ℓ/∂z). Healthy nets (relu+he, tanh+xavier, selu+lecun, depth 2–30) sit in 1e-4…1e-1 at
 * step 0; the broken ones reach 1e-15 (sigmoid+xavier, depth 10), 1e-19 (sigmoid+standard, depth 10),
 * 1e-26 (relu+standard, depth 30) and 1e12 (tanh+normal1, depth 20), 1e38 (relu+normal1, depth 30).
 * 1e-20…1e10 shows the healthy range mid-bar and most broken ones in full.
 */
export const GRAD_VAR_SCALE: LogScale = { low: -20, high: 10 };

/**
 * Var(φ(z)). Healthy nets sit in 1e-3…1e0; relu+xavier at depth 30 falls to 1e-11, relu+standard to 1e-24,
 * relu+normal1 rises to 1e33. The same decades as the gradient bar, so the two columns read alike.
 */
export const ACT_VAR_SCALE: LogScale = { low: -20, high: 10 };

/** Marks a value below the scale (including 0) and above it (including +Inf). */
export const BELOW_SCALE = '◂';
export const ABOVE_SCALE = '▸';

export function scaleLabel(scale: LogScale): string {
  return `1e${scale.low}…1e${scale.high}`;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * A bar of `width` cells for `value` on `scale`: empty for missing or NaN, a ◂ for values at or
 * below the scale's low end (0 included), a full bar ending in ▸ for values above its high end.
 */
export function logBar(value: number | null, scale: LogScale, width: number = BAR_WIDTH): string {
  if (value === null || Number.isNaN(value) || value === -Infinity) return ''.padEnd(width);
  if (value <= 0 || Math.log10(value) < scale.low) return BELOW_SCALE.padEnd(width);
  if (Math.log10(value) > scale.high) return '█'.repeat(width - 1) + ABOVE_SCALE;
  const fraction = (Math.log10(value) - scale.low) / (scale.high - scale.low);
  const eighths = Math.max(1, Math.round(fraction * width * 8));
  const bar = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
  return bar.padEnd(width);
}
