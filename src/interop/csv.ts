/**
 * The per-layer statistics of stored runs as one tidy CSV table: one row per (run, step, layer),
 * every probe point of metrics.jsonl. Columns: run, step, layer (1 = first hidden layer), kind,
 * fanIn, fanOut, then one column per statistic; written by the store's CSV writer (non-finite
 * values as inf, -inf and nan; a statistic that is not defined as an empty cell).
 */
import type { LayerStats } from '../probes/layerStats.js';
import { type CsvOptions, csvTable } from '../store/csv.js';
import type { RunRecord, StoredPoint } from '../store/record.js';

export const STAT_COLUMNS: (keyof LayerStats)[] = [
  'weightStd',
  'preactMean',
  'preactVar',
  'actMean',
  'actVar',
  'saturated',
  'dead',
  'gradVar',
  'weightGradVar',
  'weightGradNorm',
  'updateRatio',
];
export const CSV_COLUMNS = ['run', 'step', 'layer', 'kind', 'fanIn', 'fanOut', ...STAT_COLUMNS];

/** The rows of one run (no header). */
export function runRows(record: RunRecord, points: StoredPoint[]): unknown[][] {
  return points.flatMap((point) =>
    point.layers.map((stats, l) => {
      const layer = record.layers[l];
      return [record.runId, point.step, layer.index, layer.kind, layer.fanIn, layer.fanOut, ...STAT_COLUMNS.map((key) => stats[key])];
    }),
  );
}

/** The CSV document of these runs' rows, header first. */
export function statsCsv(rows: unknown[][], options: CsvOptions = {}): string {
  return csvTable(CSV_COLUMNS, rows, options);
}
