/**
 * Experiment files: a description, a grid, fixed options and the expectations they demonstrate,
 * in YAML or JSON. YAML is read as plain data (core schema; any tag is refused), validated with
 * zod; a bad file gets one line naming the field.
 *
 *   description: ReLU at depth 30, Xavier against He
 *   grid:                     # a mapping (one Cartesian product) or a list of them (their union)
 *     init: [xavier, he]
 *     depth: 30               # a single value, a list, or an integer range "2..30:4"
 *   fixed: { data: gaussian, steps: 0 }
 *   seeds: 3                  # adds seed 1..3 to every group
 *   expect:
 *     - says: Xavier vanishes
 *       where: { init: xavier }
 *       verdictInit: vanishing  # verdict (the cell's), verdictInit (step 0) or verdictEnd; one or a list
 *       gradEnergyRatioInit: { max: 1e-3 }
 *     - says: the sigmoid net's top hidden layer saturates during training
 *       where: { act: sigmoid }
 *       layer: top              # top, bottom or a 1-based hidden layer: bounds on that layer's
 *       saturatedPeak: { min: 0.5 }  # saturatedInit/End/Peak, actMeanInit/End/Low (with layer,
 *                                    # saturatedInit/End are the layer's, not the hidden layers' mean)
 */
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { escapeControls } from '../util/controlChars.js';
import { parseDataSource } from '../data/sources.js';
import { DEFAULTS } from '../config/options.js';
import { type Expectation, LAYER_FIELDS, type LayerField, type Where } from './expectations.js';
import { expandRange, type Axis, type AxisValue, type Overrides } from './grid.js';
import type { SweepSpec } from './plan.js';
import { GRID_OPTIONS, sweepOptionNamed } from './runOptions.js';
import { NUMERIC_FIELDS } from './summary.js';
import { VERDICTS } from './verdict.js';
import { readTextCapped, rethrowReadProblem } from '../util/readFile.js';

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or true/false' });
const axisValues = z.union([scalar, z.array(scalar).min(1, { error: 'must list at least one value' })], {
  error: 'must be a value or a list of values',
});
const gridGroup = z.record(z.string(), axisValues, { error: 'must be a mapping of option: values' });
const verdict = z.enum(VERDICTS, { error: `must be one of ${VERDICTS.join(', ')}` });
const verdicts = z.union([verdict, z.array(verdict).min(1)], { error: `must be one of ${VERDICTS.join(', ')}, or a list of them` });
const bound = z.strictObject(
  { min: z.number({ error: 'must be a number' }).optional(), max: z.number({ error: 'must be a number' }).optional() },
  { error: 'must be a mapping with min and/or max' },
);

const expectationSchema = z.strictObject({
  says: z.string({ error: 'must say, in words, what the cells show' }).min(1, { error: 'must not be empty' }),
  where: z.record(z.string(), z.union([scalar, z.array(scalar).min(1)]), { error: 'must be a mapping of option: value (or a list of values)' }).default({}),
  verdict: verdicts.optional(),
  verdictInit: verdicts.optional(),
  verdictEnd: verdicts.optional(),
  layer: z
    .union([z.literal('top'), z.literal('bottom'), z.number().int().min(1)], { error: "must be top, bottom or a hidden layer's number (1 = the first)" })
    .optional(),
  ...Object.fromEntries(NUMERIC_FIELDS.map((field) => [field, bound.optional()])),
  ...Object.fromEntries(LAYER_FIELDS.map((field) => [field, bound.optional()])),
});

const fileSchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).optional(),
  description: z.string({ error: 'must be a string saying what the experiment shows' }).min(1, { error: 'must not be empty' }),
  grid: z.union([gridGroup, z.array(gridGroup).min(1, { error: 'must list at least one group' })], {
    error: 'must be a mapping of option: values, or a list of them',
  }),
  fixed: z.record(z.string(), scalar, { error: 'must be a mapping of option: value' }).default({}),
  seeds: z.number({ error: 'must be an integer ≥ 1' }).int({ error: 'must be an integer ≥ 1' }).min(1, { error: 'must be an integer ≥ 1' }).max(1000, { error: 'must be at most 1000' }).optional(),
  expect: z.array(expectationSchema, { error: 'must be a list of expectations' }).default([]),
});

type FileData = z.infer<typeof fileSchema>;

/** Summary fields that were renamed: the old name gets a message naming the new one. */
const RENAMED_FIELDS: Record<string, string> = { gradVarRatioInit: 'gradEnergyRatioInit', gradVarRatioEnd: 'gradEnergyRatioEnd' };

function pathText(path: PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** Reads and parses the file as data: YAML (core schema, no tags) or JSON by extension. */
function readData(path: string): unknown {
  let text: string;
  try {
    text = readTextCapped(path, 'experiment');
  } catch (error) {
    rethrowReadProblem(error, path);
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read the experiment file (${code ?? (error as Error).message}); give a .yaml, .yml or .json file`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${path}: not valid JSON (${firstLine((error as Error).message)})`);
    }
  }
  if (ext !== '.yaml' && ext !== '.yml') throw new UsageError(`${path}: an experiment file must end in .yaml, .yml or .json`);
  const doc = parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const message = problem.code === 'TAG_RESOLVE_FAILED' ? `${firstLine(problem.message)} (tags are not allowed: experiment files are plain data)` : firstLine(problem.message);
    throw new UsageError(`${path}: not valid YAML: ${message}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The parser's own limits (an alias bomb's "Excessive alias count", nesting deeper than the stack) are bad input.
    throw new UsageError(`${path}: not usable YAML: ${firstLine((error as Error).message)} (aliases expand to at most 100 nodes, nesting is limited)`);
  }
}

/** A file key (`train-size` or `trainSize`) as a run option key, or an error naming the field. */
function optionKey(path: string, field: string, name: string, where: 'grid' | 'fixed' | 'where'): string {
  if (name === 'out') throw new UsageError(`${path}: ${field}: 'out' is not allowed in an experiment file; the results root is given with --out`);
  const option = sweepOptionNamed(name);
  if (!option) throw new UsageError(`${path}: ${field}: '${name}' is not a run option; allowed: ${GRID_OPTIONS.map((o) => o.flag.slice(2)).join(', ')}`);
  return option.key;
}

function axisValue(path: string, field: string, key: string, value: string | number | boolean): AxisValue[] {
  const option = sweepOptionNamed(key)!;
  if (option.list === 'boolean') {
    if (typeof value !== 'boolean') throw new UsageError(`${path}: ${field}: must be true or false (got '${value}')`);
    return [value];
  }
  if (typeof value === 'boolean') throw new UsageError(`${path}: ${field}: must be a value for --${option.flag.slice(2)}, not ${value}`);
  if (option.list === 'int' && typeof value === 'string') return expandRange(value, `${path}: ${field}`) ?? [value];
  if (option.list === 'layers' && Array.isArray(value)) return [value.join(',')];
  return [String(value)];
}

function toAxes(path: string, group: Record<string, unknown>, groupField: string, options: ExperimentFileOptions): Axis[] {
  return Object.entries(group).map(([name, raw]) => {
    const field = `${groupField}.${name}`;
    const key = optionKey(path, field, name, 'grid');
    const option = sweepOptionNamed(key)!;
    // `layers: [300, 100]` is one value; a list of alternatives is a list of lists or of "300,100" strings.
    const list = option.list === 'layers' && Array.isArray(raw) && raw.every((v) => typeof v === 'number') ? [(raw as number[]).join(',')] : Array.isArray(raw) ? raw : [raw];
    const values = list.flatMap((value, i) => {
      const at = Array.isArray(raw) ? `${field}[${i}]` : field;
      return axisValue(path, at, key, value as string | number | boolean).map((item) => resolveFilePath(path, at, key, item, options));
    });
    return { key, values: [...new Set(values)] };
  });
}

/** How an experiment file's paths are read (see resolveFilePaths). */
export interface ExperimentFileOptions {
  /** The results root (--out): a path inside it is allowed, e.g. a stored run's weights. */
  root?: string;
  /** --allow-paths: absolute paths and paths anywhere are allowed. */
  allowPaths?: boolean;
  /** Options given on the command line: they replace the file's values, which are not checked. */
  commandLine?: ReadonlySet<string>;
}

/** Whether `path` is `folder` or inside it (lexically, both absolute). */
function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * An experiment file is data, and may come from anyone: its paths (init-from, tensorboard, the
 * folder of data: idx:DIR) are relative to the file's own folder, and must stay inside it or
 * inside the results root. `fixed: {init-from: ../../../../etc/passwd}` read any file, and
 * `fixed: {tensorboard: /abs/path}` wrote anywhere. Absolute paths and paths outside both are
 * refused unless the command line allows them (--allow-paths, or the option given there itself).
 * Returns the value with its path made absolute.
 */
function resolveFilePath(file: string, field: string, key: string, value: AxisValue, options: ExperimentFileOptions): AxisValue {
  if (typeof value !== 'string' || options.commandLine?.has(key)) return value;
  let path = value;
  let rebuild = (resolved: string) => resolved;
  if (key === 'data') {
    const named = parseDataSource(value);
    if (named === undefined || named.source.argument === undefined) return value;
    path = named.argument;
    rebuild = (resolved) => `${named.source.name}:${resolved}`;
  } else if (key !== 'initFrom' && key !== 'tensorboard') {
    return value;
  }
  if (path === '') return value;
  const folder = resolve(dirname(file));
  const resolved = resolve(folder, path);
  if (!options.allowPaths) {
    const flag = `--${sweepOptionNamed(key)!.flag.slice(2)}`;
    const allow = `give --allow-paths to allow it, or ${flag} on the command line`;
    if (isAbsolute(path)) throw new UsageError(`${file}: ${field}: '${escapeControls(path)}' is an absolute path; paths in an experiment file are relative to its folder; ${allow}`);
    const root = resolve(options.root ?? DEFAULTS.out);
    if (!isInside(resolved, folder) && !isInside(resolved, root)) {
      throw new UsageError(`${file}: ${field}: '${escapeControls(path)}' leads outside the file's folder and the results root (${root}); ${allow}`);
    }
  }
  return rebuild(resolved);
}

export function loadExperimentFile(path: string, options: ExperimentFileOptions = {}): SweepSpec {
  const data = readData(path);
  const result = fileSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? pathText(issue.path) : '(top level)';
    const renamed = issue.code === 'unrecognized_keys' ? RENAMED_FIELDS[issue.keys[0]] : undefined;
    const message =
      issue.code !== 'unrecognized_keys'
        ? issue.message
        : renamed
          ? `'${issue.keys[0]}' was the per-unit grad var ratio; use ${renamed}, the width-corrected ratio the flags use (width × grad var)`
          : `unknown field '${issue.keys[0]}'; allowed: ${issueAllowed(issue.path)}`;
    throw new UsageError(`${path}: ${field}: ${firstLine(message)}`);
  }
  const file: FileData = result.data;
  const groupList = Array.isArray(file.grid) ? file.grid : [file.grid];
  const groupField = (i: number) => (Array.isArray(file.grid) ? `grid[${i}]` : 'grid');
  const groups = groupList.map((group, i) => toAxes(path, group, groupField(i), options));
  if (file.seeds !== undefined) {
    groups.forEach((axes, i) => {
      if (axes.some((axis) => axis.key === 'seed')) throw new UsageError(`${path}: ${groupField(i)}.seed: give seeds or a seed axis, not both`);
      axes.push({ key: 'seed', values: Array.from({ length: file.seeds! }, (_, s) => String(s + 1)) });
    });
  }
  const fixed: Overrides = {};
  for (const [name, value] of Object.entries(file.fixed)) {
    const field = `fixed.${name}`;
    const key = optionKey(path, field, name, 'fixed');
    const values = axisValue(path, field, key, value);
    if (values.length !== 1) throw new UsageError(`${path}: ${field}: one value only (put lists and ranges under grid)`);
    fixed[key] = resolveFilePath(path, field, key, values[0], options);
    // Grid values used to win silently over a fixed one; which the author meant is not knowable.
    const clash = groups.findIndex((axes) => axes.some((axis) => axis.key === key));
    if (clash >= 0) {
      const inGrid = key === 'seed' && file.seeds !== undefined ? 'seeds' : `${groupField(clash)}.${name}`;
      throw new UsageError(`${path}: ${field}: '${name}' is also given in ${inGrid}; give each option in grid or in fixed, not both`);
    }
  }
  const expectations: Expectation[] = file.expect.map((entry, i) => {
    const where: Where = {};
    const text = (value: string | number | boolean) => (typeof value === 'number' ? String(value) : value);
    for (const [name, value] of Object.entries(entry.where)) {
      where[optionKey(path, `expect[${i}].where.${name}`, name, 'where')] = Array.isArray(value) ? value.map(text) : text(value);
    }
    // With `layer`, saturatedInit/End (and the other layer fields) bound that layer, not the mean
    // over the hidden layers the summary holds under the same names.
    const bounds: Expectation['bounds'] = {};
    for (const field of NUMERIC_FIELDS) {
      const b = (entry as Record<string, unknown>)[field] as { min?: number; max?: number } | undefined;
      if (b && !(entry.layer !== undefined && (LAYER_FIELDS as readonly string[]).includes(field))) bounds[field] = b;
    }
    const layerBounds: NonNullable<Expectation['layerBounds']> = {};
    for (const field of LAYER_FIELDS) {
      const b = (entry as Record<string, unknown>)[field] as { min?: number; max?: number } | undefined;
      if (b && (entry.layer !== undefined || !(NUMERIC_FIELDS as readonly string[]).includes(field))) layerBounds[field] = b;
    }
    const layerFields = Object.keys(layerBounds) as LayerField[];
    if (entry.layer === undefined && layerFields.length > 0) {
      throw new UsageError(`${path}: expect[${i}].${layerFields[0]}: a layer statistic needs layer: top, bottom or a hidden layer's number`);
    }
    if (entry.layer !== undefined && layerFields.length === 0) {
      throw new UsageError(`${path}: expect[${i}].layer: give a bound on one of ${LAYER_FIELDS.join(', ')}`);
    }
    const list = <T>(value: T | T[] | undefined) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
    return {
      says: entry.says,
      where,
      verdict: list(entry.verdict),
      verdictInit: list(entry.verdictInit),
      verdictEnd: list(entry.verdictEnd),
      bounds,
      ...(entry.layer === undefined ? {} : { layer: entry.layer, layerBounds }),
    };
  });
  const name = file.name ?? basename(path, extname(path));
  return {
    name,
    description: file.description,
    groups,
    fixed,
    expectations,
    source: path,
    fieldName: (key, where, group) => (where === 'fixed' ? `${path}: fixed.${key}` : `${path}: ${groupField(group)}.${key}`),
  };
}

function issueAllowed(path: PropertyKey[]): string {
  if (path.length === 0) return 'name, description, grid, fixed, seeds, expect';
  if (path[0] === 'expect') return ['says', 'where', 'verdict', 'verdictInit', 'verdictEnd', ...NUMERIC_FIELDS, 'layer', ...LAYER_FIELDS].join(', ');
  return 'min, max';
}
