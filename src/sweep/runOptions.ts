/**
 * The run options a sweep accepts, seen as grid axes: which key, which flag, and how a value
 * list is written. THIN ADAPTER: it mirrors src/config/runConfig.ts until the one table of run
 * options (src/config/options.ts, h1-config) lands; then this list is derived from that table.
 */
import { Command, Option } from 'commander';
import type { RawRunOptions } from '../config/runConfig.js';

/** How a list of values for one option is written on the command line. */
export type ListKind =
  /** Comma list; each item may be an integer range a..b or a..b:step. */
  | 'int'
  /** Comma list of numbers. */
  | 'number'
  /** Comma list of words. */
  | 'word'
  /** Comma list of initializer specs; `vs:scale=2,mode=fan_in` keeps its own commas. */
  | 'init'
  /** Alternatives separated by '/', since one value is itself a comma list (300,100/500,300). */
  | 'layers'
  /** A switch: no value on the command line; true/false lists only in experiment files. */
  | 'boolean'
  /** One value for the whole sweep, never a grid axis. */
  | 'single';

export interface SweepOption {
  key: keyof RawRunOptions;
  flag: string;
  list: ListKind;
  help: string;
}

export const SWEEP_RUN_OPTIONS: readonly SweepOption[] = [
  { key: 'depth', flag: '--depth', list: 'int', help: 'hidden layers, e.g. 2,5,10 or 2..30:4' },
  { key: 'width', flag: '--width', list: 'int', help: 'units in hidden layers 2..depth' },
  { key: 'layers', flag: '--layers', list: 'layers', help: "hidden widths; alternatives separated by '/': 300,100/500,300" },
  { key: 'act', flag: '--act', list: 'word', help: 'activations, e.g. sigmoid,tanh,relu' },
  { key: 'alpha', flag: '--alpha', list: 'number', help: 'leaky-relu negative slope' },
  { key: 'init', flag: '--init', list: 'init', help: 'initializers, e.g. normal1,xavier,he' },
  { key: 'gain', flag: '--gain', list: 'number', help: 'gain of the orthogonal initializer' },
  { key: 'optimizer', flag: '--optimizer', list: 'word', help: 'sgd, momentum, adam' },
  { key: 'lr', flag: '--lr', list: 'number', help: 'learning rates' },
  { key: 'momentum', flag: '--momentum', list: 'number', help: 'momentum coefficient' },
  { key: 'batch', flag: '--batch', list: 'int', help: 'minibatch sizes' },
  { key: 'steps', flag: '--steps', list: 'int', help: 'training steps (0: at initialization only)' },
  { key: 'epochs', flag: '--epochs', list: 'number', help: 'passes over the training split instead of --steps' },
  { key: 'seed', flag: '--seed', list: 'int', help: 'seeds, e.g. 1,2,3 (or --seeds N)' },
  { key: 'data', flag: '--data', list: 'word', help: 'mnist, gaussian, idx:DIR' },
  { key: 'trainSize', flag: '--train-size', list: 'int', help: 'training samples' },
  { key: 'testSize', flag: '--test-size', list: 'int', help: 'test samples' },
  { key: 'standardize', flag: '--standardize', list: 'boolean', help: 'standardize each pixel (every cell)' },
  { key: 'probeSize', flag: '--probe-size', list: 'int', help: 'samples in the probe batch' },
  { key: 'logEvery', flag: '--log-every', list: 'int', help: 'probe every K steps' },
  { key: 'backend', flag: '--backend', list: 'single', help: 'auto, tensorflow, wasm or cpu (one for the whole sweep)' },
];

const BY_KEY = new Map(SWEEP_RUN_OPTIONS.map((option) => [option.key as string, option]));
const BY_NAME = new Map<string, SweepOption>();
for (const option of SWEEP_RUN_OPTIONS) {
  BY_NAME.set(option.key, option);
  BY_NAME.set(option.flag.slice(2), option);
}

/** The option for a key as written in a file: `trainSize` or `train-size`. */
export function sweepOptionNamed(name: string): SweepOption | undefined {
  return BY_NAME.get(name);
}

export function sweepOptionFor(key: string): SweepOption {
  const option = BY_KEY.get(key);
  if (!option) throw new Error(`not a run option: ${key}`);
  return option;
}

/** Declares every run option on `cmd`, with no defaults (absent means the run default). */
export function addSweepRunOptions(cmd: Command): Command {
  for (const option of SWEEP_RUN_OPTIONS) {
    const declared = option.list === 'boolean' ? new Option(option.flag, option.help) : new Option(`${option.flag} <values>`, option.help);
    cmd.addOption(declared);
  }
  return cmd;
}
