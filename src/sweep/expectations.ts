/**
 * What an experiment file says its cells demonstrate, e.g. "relu + xavier at depth 30 vanishes":
 * a selection of cells (`where`) and what must hold for every selected cell (a verdict, bounds on
 * summary fields). `vgrad sweep --check` verifies them against the stored results.
 */
import type { AxisValue } from './grid.js';

export type Where = Record<string, AxisValue | AxisValue[]>;
import type { NumericField, SummaryRow } from './summary.js';
import type { Verdict } from './verdict.js';

export interface Bound {
  min?: number;
  max?: number;
}

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

export function checkExpectation(expectation: Expectation, rows: SummaryRow[]): ExpectationOutcome {
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
      const value = row[field];
      const below = bound.min !== undefined && (value === null || value < bound.min);
      const above = bound.max !== undefined && (value === null || value > bound.max);
      if (below || above) {
        const wanted = [bound.min !== undefined ? `≥ ${bound.min}` : '', bound.max !== undefined ? `≤ ${bound.max}` : ''].filter(Boolean).join(' and ');
        problems.push(`${row.cell}: ${field} ${show(value)}, expected ${wanted}`);
      }
    }
  }
  if (selected.length === 0) problems.push('no finished cell matches its "where"');
  return { expectation, cells: selected.length, held: problems.length === 0, problems };
}
