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

/**
 * Columns only runs with --batch-norm have: the mean and variance of ẑ, batch norm's output (the
 * z columns are before it); empty for the output layer and for runs without batch norm.
 */
export const BATCH_NORM_COLUMNS = ['normalizedMean', 'normalizedVar'] as const;

/** Which optional column groups a table has. */
export interface OptionalColumns {
  clip?: boolean;
  batchNorm?: boolean;
}

/** The rows of one run (no header), with the optional columns asked for. */
export function runRows(record: RunRecord, points: StoredPoint[], optional: OptionalColumns = {}): unknown[][] {
  return points.flatMap((point) =>
    point.layers.map((stats, l) => {
      const layer = record.layers[l];
      const bn = optional.batchNorm ? BATCH_NORM_COLUMNS.map((key) => stats[key] ?? null) : [];
      const clip = optional.clip ? CLIP_COLUMNS.map((key) => point.clip?.[key] ?? null) : [];
      return [record.runId, point.step, layer.index, layer.kind, layer.fanIn, layer.fanOut, ...STAT_COLUMNS.map((key) => stats[key]), ...bn, ...clip];
    }),
  );
}

/** The CSV document of these runs' rows, header first. */
export function statsCsv(rows: unknown[][], optional: OptionalColumns = {}, options: CsvOptions = {}): string {
  return csvTable([...CSV_COLUMNS, ...(optional.batchNorm ? BATCH_NORM_COLUMNS : []), ...(optional.clip ? CLIP_COLUMNS : [])], rows, options);
}

/** The CSV of these stored runs: the batch-norm and clipping columns when any of them has them. */
export function runsCsv(runs: { record: RunRecord; points: StoredPoint[] }[], options: CsvOptions = {}): string {
  const optional = {
    clip: runs.some((run) => run.points.some((point) => point.clip !== undefined)),
    batchNorm: runs.some((run) => run.record.config.batchNorm !== undefined),
  };
  return statsCsv(
    runs.flatMap((run) => runRows(run.record, run.points, optional)),
    optional,
    options,
  );
}
