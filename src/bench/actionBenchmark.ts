/**
 * The github-action-benchmark "customBiggerIsBetter" format, and the regression check of
 * `vgrad bench --compare`. Pure functions: no timing, no tensors.
 */
import { UsageError } from '../util/errors.js';

export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export interface Comparison {
  name: string;
  baseline: number;
  current: number;
  /** current / baseline: below 1 is slower. */
  ratio: number;
  regressed: boolean;
}

export function parseBenchmarkEntries(text: string, source: string): BenchmarkEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the offending text, newlines and all: keep the message to one short line.
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    throw new UsageError(`${source}: not JSON (${reason.length > 120 ? `${reason.slice(0, 117)}...` : reason})`);
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every((e) => e !== null && typeof e === 'object' && typeof e.name === 'string' && typeof e.unit === 'string' && typeof e.value === 'number');
  if (!valid) throw new UsageError(`${source}: expected a github-action-benchmark array of {name, unit, value}`);
  return parsed as BenchmarkEntry[];
}

/**
 * Compares entries by name. Only bigger-is-better entries with the same unit are compared; a
 * current value below baseline × (1 − tolerance) is a regression. Entries missing on either side
 * are skipped (a new config is not a regression).
 */
export function compareEntries(baseline: BenchmarkEntry[], current: BenchmarkEntry[], tolerance: number): Comparison[] {
  const byName = new Map(baseline.map((entry) => [entry.name, entry]));
  const comparisons: Comparison[] = [];
  for (const entry of current) {
    const base = byName.get(entry.name);
    if (!base || base.unit !== entry.unit || !(base.value > 0)) continue;
    const ratio = entry.value / base.value;
    comparisons.push({ name: entry.name, baseline: base.value, current: entry.value, ratio, regressed: ratio < 1 - tolerance });
  }
  return comparisons;
}
