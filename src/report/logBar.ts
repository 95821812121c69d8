/** Log-scale bars, so a variance that shrinks 10× per layer shows as a bar that shrinks steadily. */

export interface LogScale {
  /** Decades shown: 10^low … 10^high. */
  low: number;
  high: number;
}

/** The decades spanned by the positive finite values, at least one decade wide. */
export function logScaleFor(values: (number | null)[]): LogScale | undefined {
  const logs = values.filter((v): v is number => v !== null && Number.isFinite(v) && v > 0).map(Math.log10);
  if (logs.length === 0) return undefined;
  const low = Math.floor(Math.min(...logs));
  const high = Math.max(low + 1, Math.ceil(Math.max(...logs)));
  return { low, high };
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of up to `width` cells for `value` on `scale`; zero or missing gives an empty bar. */
export function logBar(value: number | null, scale: LogScale | undefined, width: number): string {
  if (value === null || !Number.isFinite(value) || value <= 0 || scale === undefined) return ''.padEnd(width);
  const fraction = (Math.log10(value) - scale.low) / (scale.high - scale.low);
  const eighths = Math.max(1, Math.round(Math.min(1, Math.max(0, fraction)) * width * 8));
  const bar = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
  return bar.padEnd(width);
}
