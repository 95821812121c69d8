/**
 * The per-layer statistics of stored runs as one tidy CSV table: one row per (run, step, layer),
 * every probe point of metrics.jsonl. Columns: run, step, layer (1 = first hidden layer), kind,
 * fanIn, fanOut, then one column per statistic. Numbers are written in JavaScript's shortest
 * round-trip form; non-finite values as inf, -inf and nan (what pandas.read_csv and spreadsheets
 * read as numbers); a statistic that is not defined (null: the output layer's saturated and dead,
 * updateRatio at step 0) as an empty cell.
 */
import { stringify } from 'csv-stringify/sync';
import type { LayerStats } from '../probes/layerStats.js';
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

export function csvNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

/** The rows of one run (no header). */
export function runRows(record: RunRecord, points: StoredPoint[]): string[][] {
  return points.flatMap((point) =>
    point.layers.map((stats, l) => {
      const layer = record.layers[l];
      return [record.runId, String(point.step), String(layer.index), layer.kind, String(layer.fanIn), String(layer.fanOut), ...STAT_COLUMNS.map((key) => csvNumber(stats[key]))];
    }),
  );
}

/** A whole CSV document: the header row, then the rows. */
export function csvTable(rows: string[][]): string {
  return stringify([CSV_COLUMNS, ...rows]);
}
