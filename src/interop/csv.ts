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

/**
 * Columns only runs with --clip-norm/--clip-value have: the probe point's clipping over the steps
 * since the previous point (the same on each layer's row; empty at step 0 and for runs that do
 * not clip). A table of runs none of which clip has none of them.
 */
export const CLIP_COLUMNS = ['clippedShare', 'meanPreClipNorm', 'maxPreClipNorm'] as const;

/** The rows of one run (no header), with the clipping columns when `clipColumns`. */
export function runRows(record: RunRecord, points: StoredPoint[], clipColumns = false): unknown[][] {
  return points.flatMap((point) =>
    point.layers.map((stats, l) => {
      const layer = record.layers[l];
      const clip = clipColumns ? CLIP_COLUMNS.map((key) => point.clip?.[key] ?? null) : [];
      return [record.runId, point.step, layer.index, layer.kind, layer.fanIn, layer.fanOut, ...STAT_COLUMNS.map((key) => stats[key]), ...clip];
    }),
  );
}

/** The CSV document of these runs' rows, header first. */
export function statsCsv(rows: unknown[][], options: CsvOptions = {}, clipColumns = false): string {
  return csvTable(clipColumns ? [...CSV_COLUMNS, ...CLIP_COLUMNS] : CSV_COLUMNS, rows, options);
}

/** The CSV of these stored runs: the clipping columns when any of them clips. */
export function runsCsv(runs: { record: RunRecord; points: StoredPoint[] }[], options: CsvOptions = {}): string {
  const clipColumns = runs.some((run) => run.points.some((point) => point.clip !== undefined));
  return statsCsv(
    runs.flatMap((run) => runRows(run.record, run.points, clipColumns)),
    options,
    clipColumns,
  );
}
