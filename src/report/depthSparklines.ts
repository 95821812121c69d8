/**
 * The terminal depth profile: per configuration, one character per layer (input side first) for
 * z var and grad var at step 0 and at the end, on the fixed log scales of the tables (logBar.ts),
 * so every run and every terminal shows the same height for the same value.
 */
import type { ChalkInstance } from 'chalk';
import { fitLines } from './fitWidth.js';
import { ABOVE_SCALE, BELOW_SCALE, GRAD_VAR_SCALE, type LogScale, scaleLabel } from './logBar.js';
import type { StoredRun } from './storedRuns.js';

const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One character for `value` on `scale`: 8 heights, ◂ below (0 too), ▸ above, · for missing or NaN. */
export function sparkChar(value: number | null, scale: LogScale): string {
  if (value === null || Number.isNaN(value)) return '·';
  if (value <= 0 || Math.log10(value) < scale.low) return BELOW_SCALE;
  if (Math.log10(value) > scale.high) return ABOVE_SCALE;
  const fraction = (Math.log10(value) - scale.low) / (scale.high - scale.low);
  return LEVELS[Math.min(LEVELS.length - 1, Math.floor(fraction * LEVELS.length))];
}

export function sparkline(values: (number | null)[], scale: LogScale): string {
  return values.map((value) => sparkChar(value, scale)).join('');
}

/**
 * The decade of each value as one digit, |exponent| mod 10 (3e-8 → 8, 4e-3 → 3, 6e12 → 2), · for 0,
 * missing or non-finite: printed under the sparkline, where 8 heights over 30 decades (3¾ decades
 * each) hide a 10× step, every 10× step changes the digit.
 */
export function decadeDigits(values: (number | null)[]): string {
  return values.map((value) => (value === null || !Number.isFinite(value) || value <= 0 ? '·' : String(Math.abs(Math.floor(Math.log10(value) + 1e-12)) % 10))).join('');
}

function range(values: (number | null)[]): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v) && v > 0);
  if (finite.length === 0) return '';
  const exp = (v: number) => v.toExponential(0);
  return `${exp(finite[0])}…${exp(finite[finite.length - 1])}`;
}

export function renderDepthSparklines(runs: StoredRun[], color: ChalkInstance, maxWidth?: number): string {
  const lines = [
    color.bold(`Depth profile: one character per layer, input side first; log scale ${scaleLabel(GRAD_VAR_SCALE)} (▁ low, █ high; ${BELOW_SCALE} below, ${ABOVE_SCALE} above)`),
    color.dim('under each sparkline, the decade of each value: |exponent| mod 10 (3e-8 → 8, 6e12 → 2; · for 0 or non-finite)'),
  ];
  const labelWidth = Math.max(...runs.map((run) => run.label.length));
  for (const run of runs) {
    const picks: ['initial' | 'final', string][] = [['initial', 'step 0']];
    if (run.record.final.step > 0) picks.push(['final', `step ${run.record.final.step}`]);
    for (const [pick, when] of picks) {
      const z = run.record.layers.map((layer) => layer[pick].preactVar);
      const grad = run.record.layers.map((layer) => layer[pick].gradVar);
      const head = pick === 'initial' ? run.label.padEnd(labelWidth) : ''.padEnd(labelWidth);
      lines.push(
        `${head}  ${when.padEnd(10)} z var ${color.green(sparkline(z, GRAD_VAR_SCALE))} ${range(z).padEnd(13)}  grad var ${color.blue(sparkline(grad, GRAD_VAR_SCALE))} ${range(grad)}`,
      );
      const blank = ''.padEnd(labelWidth + 2 + 10 + 1);
      lines.push(color.dim(`${blank}decade${decadeDigits(z)} ${''.padEnd(13)}    decade${decadeDigits(grad)}`).replace(/decade/g, '      '));
    }
  }
  lines.push('vgrad report DIR --out FOLDER writes the charts (HTML, SVG, PNG).', '');
  return fitLines(lines.join('\n'), maxWidth);
}
