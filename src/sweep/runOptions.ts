/**
 * The run options seen as grid axes, derived from the one table of run options
 * (src/config/options.ts): a sweep accepts every `vgrad run` option, and each option's kind says
 * how a list of its values is written.
 */
import type { Command } from 'commander';
import { addRunOptions, RUN_OPTIONS, type OptionKind, type RunOptionKey } from '../config/options.js';

/** How a list of values for one option is written on the command line. */
export type ListKind =
  /** Comma list; each item may be an integer range a..b or a..b:step. */
  | 'int'
  /** Comma list of numbers. */
  | 'number'
  /** Comma list of names. */
  | 'word'
  /** Comma list of specs; a spec's own key=value commas stay with it (vs:scale=2,mode=fan_in). */
  | 'spec'
  /** Alternatives separated by '/', since one value is itself a comma list (300,100/500,300). */
  | 'layers'
  /** A switch: no value on the command line; true/false lists only in experiment files. */
  | 'boolean'
  /** One value for the whole sweep, never a grid axis. */
  | 'single';

export interface SweepOption {
  key: RunOptionKey;
  flag: string;
  list: ListKind;
}

const LIST_KIND: Record<OptionKind, ListKind> = {
  int: 'int',
  number: 'number',
  enum: 'word',
  string: 'spec',
  list: 'layers',
  boolean: 'boolean',
};

/** The results root is where the sweep is stored, not a property of a cell. */
const SINGLE: ReadonlySet<string> = new Set(['out']);

export const SWEEP_RUN_OPTIONS: readonly SweepOption[] = RUN_OPTIONS.map((entry) => ({
  key: entry.key,
  flag: entry.flag,
  list: SINGLE.has(entry.key) ? 'single' : LIST_KIND[entry.kind],
}));

/** The options a grid or an experiment file may set (all but the results root). */
export const GRID_OPTIONS = SWEEP_RUN_OPTIONS.filter((option) => option.list !== 'single');

const BY_NAME = new Map<string, SweepOption>();
for (const option of GRID_OPTIONS) {
  BY_NAME.set(option.key, option);
  BY_NAME.set(option.flag.slice(2), option);
}

/** The option for a key as written in a file: `trainSize` or `train-size`. */
export function sweepOptionNamed(name: string): SweepOption | undefined {
  return BY_NAME.get(name);
}

const LIST_HELP: Record<ListKind, string> = {
  int: 'comma list or range a..b[:step]',
  number: 'comma list',
  word: 'comma list',
  spec: 'comma list',
  layers: "alternatives separated by '/'",
  boolean: 'every cell',
  single: 'one for the whole sweep',
};

/** Declares every run option on `cmd` (no defaults: absent means the run default), saying how to list values. */
export function addSweepRunOptions(cmd: Command): Command {
  const kinds = new Map(SWEEP_RUN_OPTIONS.map((option) => [option.key as string, option.list]));
  return addRunOptions(cmd, (entry, help) => `${help}; ${LIST_HELP[kinds.get(entry.key)!]}`);
}
