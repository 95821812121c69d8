/**
 * A sweep plan: every cell's options, validated by the run config parser before anything runs
 * (bad input writes nothing), each with its stable id. Cells from several grid groups are a union;
 * a cell reached twice is planned once.
 */
import { UsageError } from '../util/errors.js';
import { parseRunConfig, type RawRunOptions, type RunConfig } from '../config/runConfig.js';
import { cellId, isSafeComponent } from '../store/layout.js';
import { cellConfigOf } from '../store/record.js';
import { cartesian, type Axis, type Overrides } from './grid.js';
import type { Expectation } from './expectations.js';
import { createHash } from 'node:crypto';
import { pacer } from '../util/abort.js';

export interface SweepSpec {
  /** Given name, or undefined to derive one from the grid. */
  name?: string;
  description?: string;
  /** Grid groups: each a Cartesian product; the sweep is their union. */
  groups: Axis[][];
  /** Options every cell gets. */
  fixed: Overrides;
  expectations: Expectation[];
  /** Where the spec came from: an experiment file's path, or 'flags'. */
  source: string;
  /** Prefix for messages about a field, e.g. 'experiments/x.yaml: grid.depth'; '' when the run parser's message names it already (flags). */
  fieldName(key: string, where: 'grid' | 'fixed', group: number): string;
}

export interface PlannedCell {
  id: string;
  /** The options this cell was given (grid values and fixed options), before defaults. */
  overrides: Overrides;
  config: RunConfig;
}

export interface SweepPlan {
  name: string;
  description: string | undefined;
  source: string;
  /** Each key's values over all groups, in first-seen order: the axes tables group by. */
  axes: Axis[];
  fixed: Overrides;
  cells: PlannedCell[];
  expectations: Expectation[];
}

function toRaw(overrides: Overrides, out: string): RawRunOptions {
  return { ...(overrides as RawRunOptions), out };
}

/** `parseRunConfig` with the message prefixed by where the values came from. */
function parseAt(overrides: Overrides, out: string, where: string): RunConfig {
  try {
    return parseRunConfig(toRaw(overrides, out));
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(where === '' ? error.message : `${where}: ${error.message}`);
    throw error;
  }
}

function describeCell(overrides: Overrides): string {
  return Object.entries(overrides)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/**
 * Cells a sweep may have unless --max-cells says more. A typo in a grid (three axes of 100 values)
 * used to plan 10^6 cells for minutes, 3.9 GB at 10^7, before anything ran; 10,000 cells is already
 * days of runs at the book's sizes.
 */
export const MAX_CELLS = 10_000;

export interface PlanOptions {
  /** Refuse a grid of more cells than this (before it is expanded); MAX_CELLS by default. */
  maxCells?: number;
  /** Checked while the cells are planned (a large grid takes seconds). */
  signal?: AbortSignal;
}

/** Cells the groups make before duplicates are dropped: Σ over groups of Π of their axes' sizes. */
export function gridSize(groups: Axis[][]): number {
  return groups.reduce((sum, axes) => sum + axes.reduce((product, axis) => product * axis.values.length, 1), 0);
}

/** "depth 100 × act 3 × seed 5" for a message. */
function sizeText(groups: Axis[][]): string {
  return groups.map((axes) => axes.filter((axis) => axis.values.length > 1).map((axis) => `${axis.key} ${axis.values.length}`).join(' × ') || '1').join(' + ');
}

export async function planSweep(spec: SweepSpec, out: string, options: PlanOptions = {}): Promise<SweepPlan> {
  const maxCells = options.maxCells ?? MAX_CELLS;
  const size = gridSize(spec.groups);
  if (size > maxCells) {
    throw new UsageError(
      `the grid has ${size.toLocaleString('en-US')} cells (${sizeText(spec.groups)}), more than the ${maxCells.toLocaleString('en-US')} a sweep may have; give a smaller grid, or --max-cells ${size} to plan it anyway`,
    );
  }
  let planned = 0;
  const pace = pacer(options.signal, () => `while planning the grid (cell ${planned} of ${size})`);
  // Each value alone first, so a bad value is reported against the field that holds it.
  for (const [group, axes] of spec.groups.entries()) {
    for (const axis of axes) {
      for (const value of axis.values) {
        parseAt({ [axis.key]: value }, out, spec.fieldName(axis.key, 'grid', group));
        await pace();
      }
    }
  }
  for (const [key, value] of Object.entries(spec.fixed)) parseAt({ [key]: value }, out, spec.fieldName(key, 'fixed', 0));

  const cells: PlannedCell[] = [];
  const seen = new Set<string>();
  for (const axes of spec.groups) {
    for (const gridValues of cartesian(axes)) {
      planned++;
      await pace();
      const overrides = { ...spec.fixed, ...gridValues };
      const config = parseAt(overrides, out, `cell ${describeCell(gridValues) || '(no grid values)'}`);
      const id = cellId(cellConfigOf(config));
      if (seen.has(id)) continue;
      seen.add(id);
      cells.push({ id, overrides, config });
    }
  }
  const axes = mergeAxes(spec.groups);
  const name = spec.name ?? deriveName(axes);
  checkName(name);
  return { name, description: spec.description, source: spec.source, axes, fixed: spec.fixed, cells, expectations: spec.expectations };
}

function mergeAxes(groups: Axis[][]): Axis[] {
  const merged = new Map<string, Axis>();
  for (const axes of groups) {
    for (const axis of axes) {
      const known = merged.get(axis.key) ?? { key: axis.key, values: [] };
      for (const value of axis.values) if (!known.values.includes(value)) known.values.push(value);
      merged.set(axis.key, known);
    }
  }
  return [...merged.values()];
}

const NAME_LIMIT = 64;

/** A readable name from the axes with more than one value: depth-2-5-10_act-relu-tanh. */
export function deriveName(axes: Axis[]): string {
  const varying = axes.filter((axis) => axis.values.length > 1);
  const text = varying.length === 0 ? 'single' : varying.map((axis) => [axis.key, ...axis.values.map(String)].join('-')).join('_');
  const safe = text.replace(/[^A-Za-z0-9._=-]+/g, '_').replace(/\.{2,}/g, '_');
  if (safe.length <= NAME_LIMIT) return safe;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${safe.slice(0, NAME_LIMIT - 9)}-${hash}`;
}

/** A sweep name is one folder under ROOT/sweeps: no separators, no '..', not absolute. */
export function checkName(name: string): void {
  if (!isSafeComponent(name)) {
    throw new UsageError(
      `--name '${name}' is not a safe folder name; allowed: letters, digits, '.', '_', '-', '=' (starting with a letter or digit, no '..' or '/', at most 128 characters)`,
    );
  }
}
