/**
 * What an experiment file says its cells demonstrate, e.g. "relu + xavier at depth 30 vanishes":
 * a selection of cells (`where`) and what must hold for every selected cell (a verdict, bounds on
 * summary fields, or, with `layer`, bounds on one hidden layer's statistics over the probe points).
 * `vgrad sweep --check` verifies them against the stored results.
 */
import type { AxisValue } from './grid.js';

export type Where = Record<string, AxisValue | AxisValue[]>;
import type { NumericField, SummaryRow } from './summary.js';
import type { Verdict } from './verdict.js';

export interface Bound {
  min?: number;
  max?: number;
}

/** A hidden layer: the top one, the bottom one, or its 1-based index. */
export type LayerSelector = 'top' | 'bottom' | number;

/**
 * One hidden layer's statistics an expectation with `layer` may bound: the saturated share and the
 * mean activation at step 0 (Init), at the last probe point (End), and their extreme over every
 * probe point (the saturated share's highest, Peak; the mean activation's lowest, Low): "the top
 * layer saturates during training" is a bound on saturatedPeak.
 */
export const LAYER_FIELDS = ['saturatedInit', 'saturatedEnd', 'saturatedPeak', 'actMeanInit', 'actMeanEnd', 'actMeanLow'] as const;
export type LayerField = (typeof LAYER_FIELDS)[number];

/** One hidden layer's statistics at each probe point, in step order (null where not finite or not defined). */
export interface LayerSeries {
  saturated: (number | null)[];
  actMean: (number | null)[];
}

/** A cell's hidden layers, bottom to top, each as a series over its probe points; null when unreadable. */
export type CellLayers = (cell: string) => LayerSeries[] | null;

export interface Expectation {
  /** The claim in words, printed with the outcome. */
  says: string;
  /** Option values the cells must have (config keys; a list means any of them; compared as text). */
  where: Where;
  /** Allowed verdicts: of the cell (the more severe of step 0 and the end), at step 0, at the end. */
  verdict?: Verdict[];
  verdictInit?: Verdict[];
  verdictEnd?: Verdict[];
  bounds: Partial<Record<NumericField, Bound>>;
  /** With `layer`: the hidden layer whose statistics `layerBounds` bound. */
  layer?: LayerSelector;
  layerBounds?: Partial<Record<LayerField, Bound>>;
}

export interface ExpectationOutcome {
  expectation: Expectation;
  cells: number;
  held: boolean;
  /** One line per cell that broke it. */
  problems: string[];
}

function sameValue(configValue: unknown, wanted: string | boolean): boolean {
  if (Array.isArray(configValue)) return configValue.join(',') === String(wanted).replace(/\s+/g, '');
  if (typeof configValue === 'string' && typeof wanted === 'string') return configValue.toLowerCase() === wanted.toLowerCase();
  return String(configValue) === String(wanted);
}

/** Whether a cell's config has every value `where` names. */
export function matches(config: object, where: Where): boolean {
  return Object.entries(where).every(([key, wanted]) =>
    (Array.isArray(wanted) ? wanted : [wanted]).some((value) => sameValue((config as Record<string, unknown>)[key], value)),
  );
}

const show = (value: number | null) => (value === null ? 'null' : Number(value.toPrecision(3)).toString());

function boundProblem(name: string, value: number | null, bound: Bound): string | null {
  const below = bound.min !== undefined && (value === null || value < bound.min);
  const above = bound.max !== undefined && (value === null || value > bound.max);
  if (!below && !above) return null;
  const wanted = [bound.min !== undefined ? `≥ ${bound.min}` : '', bound.max !== undefined ? `≤ ${bound.max}` : ''].filter(Boolean).join(' and ');
  return `${name} ${show(value)}, expected ${wanted}`;
}

/** The named statistic of one hidden layer's series. */
export function layerFieldValue(series: LayerSeries, field: LayerField): number | null {
  const values = field.startsWith('saturated') ? series.saturated : series.actMean;
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (field.endsWith('Init')) return values.length > 0 ? values[0] : null;
  if (field.endsWith('End')) return values.length > 0 ? values[values.length - 1] : null;
  if (present.length === 0) return null;
  return field === 'saturatedPeak' ? Math.max(...present) : Math.min(...present);
}

/** The 0-based index of the selected hidden layer among `count`, or null when the net has no such layer. */
export function selectLayer(selector: LayerSelector, count: number): number | null {
  if (selector === 'top') return count > 0 ? count - 1 : null;
  if (selector === 'bottom') return count > 0 ? 0 : null;
  return selector >= 1 && selector <= count ? selector - 1 : null;
}

function layerName(selector: LayerSelector): string {
  return selector === 'top' ? 'top hidden layer' : selector === 'bottom' ? 'bottom hidden layer' : `hidden layer ${selector}`;
}

export function checkExpectation(expectation: Expectation, rows: SummaryRow[], cellLayers?: CellLayers): ExpectationOutcome {
  const selected = rows.filter((row) => matches(row.config, expectation.where));
  const problems: string[] = [];
  for (const row of selected) {
    if (row.status === 'failed') {
      problems.push(`${row.cell}: failed (${row.error ?? 'no record'})`);
      continue;
    }
    for (const key of ['verdict', 'verdictInit', 'verdictEnd'] as const) {
      const allowed = expectation[key];
      if (allowed && !allowed.includes(row[key] as Verdict)) problems.push(`${row.cell}: ${key} ${row[key]}, expected ${allowed.join(' or ')}`);
    }
    for (const [field, bound] of Object.entries(expectation.bounds) as [NumericField, Bound][]) {
      const problem = boundProblem(field, row[field], bound);
      if (problem) problems.push(`${row.cell}: ${problem}`);
    }
    if (expectation.layer !== undefined && expectation.layerBounds) {
      const layers = cellLayers?.(row.cell) ?? null;
      if (layers === null) {
        problems.push(`${row.cell}: its probe points cannot be read (metrics.jsonl)`);
        continue;
      }
      const index = selectLayer(expectation.layer, layers.length);
      if (index === null) {
        problems.push(`${row.cell}: has no ${layerName(expectation.layer)} (${layers.length} hidden layers)`);
        continue;
      }
      for (const [field, bound] of Object.entries(expectation.layerBounds) as [LayerField, Bound][]) {
        const problem = boundProblem(`${layerName(expectation.layer)} (${index + 1}) ${field}`, layerFieldValue(layers[index], field), bound);
        if (problem) problems.push(`${row.cell}: ${problem}`);
      }
    }
  }
  if (selected.length === 0) problems.push('no finished cell matches its "where"');
  return { expectation, cells: selected.length, held: problems.length === 0, problems };
}
