/**
 * The sweep summary: one row per cell, read from the stored records (never from a live run), as
 * summary.jsonl and summary.csv. Rows hold no timings, so the same cells on the same backend give
 * the same bytes however they were scheduled (sharded, resumed, merged).
 */
import type { LayerStats } from '../probes/layerStats.js';
import { csvTable } from '../store/csv.js';
import { type CellConfig, toJson, type RunRecord } from '../store/record.js';
import { verdictsOf, type Verdict } from './verdict.js';

export interface SummaryRow {
  cell: string;
  status: 'ok' | 'diverged' | 'interrupted' | 'failed';
  config: CellConfig;
  divergedAt: number | null;
  finalStep: number | null;
  finalLoss: number | null;
  trainAcc: number | null;
  testAcc: number | null;
  /**
   * Gradient energy (width × grad var, the flags' measure: src/probes/verdicts.ts) of the first
   * hidden layer over the top hidden layer's: < 1 means the gradient shrinks on its way down. Per
   * unit, a 300-wide first layer would read 3× lower than 100-wide ones with no loss at all.
   */
  gradEnergyRatioInit: number | null;
  gradEnergyRatioEnd: number | null;
  /** actVar of the last hidden layer over the first's: < 1 means the signal shrinks on its way up. */
  actVarRatioInit: number | null;
  actVarRatioEnd: number | null;
  /** Means over the hidden layers. */
  saturatedInit: number | null;
  deadInit: number | null;
  saturatedEnd: number | null;
  deadEnd: number | null;
  /** The more severe of verdictInit (step 0) and verdictEnd (last probe point); null for a failed cell. */
  verdict: Verdict | null;
  verdictInit: Verdict | null;
  verdictEnd: Verdict | null;
  /** For failed cells: what went wrong. */
  error: string | null;
}

/** The numeric row fields an expectation may bound. */
export const NUMERIC_FIELDS = [
  'finalLoss',
  'trainAcc',
  'testAcc',
  'gradEnergyRatioInit',
  'gradEnergyRatioEnd',
  'actVarRatioInit',
  'actVarRatioEnd',
  'saturatedInit',
  'deadInit',
  'saturatedEnd',
  'deadEnd',
] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];

/** A ratio of two stored statistics; non-finite results (an overflowed layer, 0/0) stay what they are and are written as markers. */
function ratio(top: number, bottom: number): number {
  return top / bottom;
}

function meanOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

function hiddenStats(record: RunRecord, pick: 'initial' | 'final'): LayerStats[] {
  return record.layers.filter((layer) => layer.kind === 'hidden').map((layer) => layer[pick]);
}

/** width × grad var of the first hidden layer over the top hidden layer's, as the flags compare them. */
function gradEnergyRatio(record: RunRecord, pick: 'initial' | 'final'): number {
  const hidden = record.layers.filter((layer) => layer.kind === 'hidden');
  const energy = (layer: RunRecord['layers'][number]) => layer.fanOut * layer[pick].gradVar;
  return ratio(energy(hidden[0]), energy(hidden[hidden.length - 1]));
}

export function rowFromRecord(cell: string, config: CellConfig, record: RunRecord): SummaryRow {
  const init = hiddenStats(record, 'initial');
  const end = hiddenStats(record, 'final');
  const first = (stats: LayerStats[]) => stats[0];
  const last = (stats: LayerStats[]) => stats[stats.length - 1];
  return {
    cell,
    status: record.status,
    config,
    divergedAt: record.divergedAt,
    finalStep: record.final.step,
    finalLoss: record.final.loss,
    trainAcc: record.final.trainAcc,
    testAcc: record.final.testAcc,
    gradEnergyRatioInit: gradEnergyRatio(record, 'initial'),
    gradEnergyRatioEnd: gradEnergyRatio(record, 'final'),
    actVarRatioInit: ratio(last(init).actVar, first(init).actVar),
    actVarRatioEnd: ratio(last(end).actVar, first(end).actVar),
    saturatedInit: meanOf(init.map((s) => s.saturated)),
    deadInit: meanOf(init.map((s) => s.dead)),
    saturatedEnd: meanOf(end.map((s) => s.saturated)),
    deadEnd: meanOf(end.map((s) => s.dead)),
    ...verdictsOf(record),
    error: null,
  };
}

export function failedRow(cell: string, config: CellConfig, error: string): SummaryRow {
  return {
    cell,
    status: 'failed',
    config,
    divergedAt: null,
    finalStep: null,
    finalLoss: null,
    trainAcc: null,
    testAcc: null,
    gradEnergyRatioInit: null,
    gradEnergyRatioEnd: null,
    actVarRatioInit: null,
    actVarRatioEnd: null,
    saturatedInit: null,
    deadInit: null,
    saturatedEnd: null,
    deadEnd: null,
    verdict: null,
    verdictInit: null,
    verdictEnd: null,
    error,
  };
}

/** One JSON object per line; non-finite numbers as the run record's markers ("+Inf", "-Inf", "NaN"). */
export function toJsonLines(rows: SummaryRow[]): string {
  return rows.map((row) => `${toJson(row)}\n`).join('');
}

/**
 * One header row, then one row per cell (the store's CSV writer: non-finite values as inf, -inf,
 * nan); config keys are prefixed by nothing, in RunConfig order.
 */
export function toCsv(rows: SummaryRow[]): string {
  if (rows.length === 0) return '';
  // Every row's config keys, first seen first: the opt-in settings (clipping, batch norm) are only in the cells that use them.
  const configKeys = [...new Set(rows.flatMap((row) => Object.keys(row.config)))] as (keyof CellConfig)[];
  const rest = Object.keys(rows[0]).filter((key) => key !== 'cell' && key !== 'config') as (keyof SummaryRow)[];
  // A setting that is an object (batchNorm: momentum and eps) is written as its JSON.
  const cell = (value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value);
  return csvTable(['cell', ...configKeys, ...rest], rows.map((row) => [row.cell, ...configKeys.map((key) => cell(row.config[key])), ...rest.map((key) => row[key])]));
}
