/**
 * The end-of-sweep table: one row per combination of the grid's axes (seeds folded together),
 * verdicts as words (and colours), mean test accuracy, and the first/top hidden-layer gradient
 * energy ratio (width × grad var, as the flags) at initialization and at the end (geometric mean over seeds).
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { SummaryRow } from '../sweep/summary.js';
import { tableOptions } from './tableStyle.js';

export interface AxisView {
  key: string;
  values: (string | boolean)[];
}

/**
 * Over the seeds that have a ratio (NaN, a 0/0 of a net whose gradient is zero at both ends, and
 * missing ones left out). 0 and +Inf are values: a seed whose first layer gets exactly no gradient
 * makes the mean 0, not a mean of the other seeds that hides it; 0 with +Inf has no mean (–).
 */
function geometricMean(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && v >= 0);
  if (present.length === 0) return null;
  const mean = Math.exp(present.reduce((sum, v) => sum + Math.log(v), 0) / present.length);
  return Number.isNaN(mean) ? null : mean;
}

function arithmeticMean(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

const exp = (value: number | null) => (value === null ? '–' : value === 0 ? '0' : value === Infinity ? '+Inf' : value.toExponential(1));

export function verdictColor(color: ChalkInstance, word: string): string {
  switch (word) {
    case 'healthy':
      return color.green(word);
    case 'vanishing':
    case 'exploding':
      return color.red(word);
    case 'saturated':
    case 'dead':
      return color.yellow(word);
    case 'diverged':
      return color.magenta(word);
    default:
      return color.red.bold(word);
  }
}

/** A cell's value for an axis, as the config holds it. */
export function axisValueOf(row: SummaryRow, key: string): string {
  const value = (row.config as unknown as Record<string, unknown>)[key];
  return Array.isArray(value) ? value.join(',') : String(value);
}

export function renderSweepTable(rows: SummaryRow[], axes: AxisView[], color: ChalkInstance): string {
  // An axis with one value in the plan can still vary between cells: a key that only one group of
  // an experiment file sets (the other groups' cells have the default). Such cells are different
  // configurations, not seeds, so the key gets a column and they get rows of their own.
  const varies = (key: string) => new Set(rows.map((row) => axisValueOf(row, key))).size > 1;
  const shown = axes.filter((axis) => axis.key !== 'seed' && (axis.values.length > 1 || varies(axis.key))).map((axis) => axis.key);
  const groups = new Map<string, SummaryRow[]>();
  for (const row of rows) {
    const key = shown.map((k) => axisValueOf(row, k)).join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const head = [...shown, 'n', 'verdict', 'test acc', 'grad ratio @0', '@end'];
  const table = new Table(tableOptions(color, head));
  for (const group of groups.values()) {
    const counts = new Map<string, number>();
    for (const row of group) {
      const word = row.status === 'failed' ? 'failed' : (row.verdict ?? '–');
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    const verdict = [...counts.entries()].map(([word, n]) => verdictColor(color, word) + (counts.size > 1 || group.length > 1 ? ` ${n}` : '')).join(', ');
    const acc = arithmeticMean(group.map((r) => r.testAcc));
    table.push([
      ...shown.map((k) => axisValueOf(group[0], k)),
      String(group.length),
      verdict,
      acc === null ? '–' : acc.toFixed(3),
      exp(geometricMean(group.map((r) => r.gradEnergyRatioInit))),
      exp(geometricMean(group.map((r) => r.gradEnergyRatioEnd))),
    ]);
  }
  const legend = [
    'n: cells (seeds folded). grad ratio: gradient energy (width × grad var, as the',
    "flags) of the first hidden layer over the top hidden layer's, at step 0 and at",
    'the end (geometric mean); below 1 it shrinks downward.',
  ];
  return `${table.toString()}\n${legend.join('\n')}\n`;
}
