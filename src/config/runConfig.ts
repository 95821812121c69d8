/**
 * The resolved settings of a run, nanoGPT-style: one named value each, read from the option table
 * (./options.ts) and checked across options here. Errors name the flag and what is allowed, in one line.
 */
import { parseInit } from '../model/initializers.js';
import { UsageError } from '../util/errors.js';
import { DEFAULTS, readRunOptions, type RawRunOptions, type RunOptionKey, type RunOptionValues } from './options.js';

export { DEFAULTS, OPTIMIZERS, type OptimizerName, type RawRunOptions, type RunOptionKey } from './options.js';

/**
 * Every knob of a run (see the option table for what each means). `layers` holds the hidden
 * widths bottom to top and `depth` their count; --width only feeds `layers`. `init` is the
 * canonical initializer name; `epochs`, `trainSize` and `testSize` are null when not given, and
 * so is `probeSize` until the run resolves it (DEFAULTS.probeSize, or the test split if smaller).
 */
export type RunConfig = Omit<RunOptionValues, 'width' | 'layers' | 'steps' | 'init' | OptInKey> & {
  layers: number[];
  /** Training steps (updates); 0 measures the net at initialization only. Resolved from --epochs once the data are known. */
  steps: number;
  init: string;
  /** --clip-norm and --clip-value; absent when not given. */
  clipNorm?: number;
  clipValue?: number;
  /** --batch-norm with its momentum and ε; absent without --batch-norm. */
  batchNorm?: BatchNormConfig;
};

/**
 * The opt-in settings (clipping, batch norm) are absent from a RunConfig that does not use them,
 * rather than null or false: a run without them has the config, the record and the cell id (a
 * hash of the config) it had before they existed, so stored sweeps resume and measured
 * experiment files still match their grids.
 */
type OptInKey = 'clipNorm' | 'clipValue' | 'batchNorm' | 'bnMomentum' | 'bnEps';

export interface BatchNormConfig {
  /** PyTorch's convention: running ← (1 − momentum)·running + momentum·batch statistic. */
  momentum: number;
  eps: number;
}

/** Hidden widths for --depth/--width: the first layer has DEFAULTS.firstWidth units, the rest `width`. */
export function defaultLayers(depth: number, width: number = DEFAULTS.width): number[] {
  return Array.from({ length: depth }, (_, l) => (l === 0 ? DEFAULTS.firstWidth : width));
}

function hiddenLayers(values: RunOptionValues, given: Set<RunOptionKey>): number[] {
  if (values.layers !== null) {
    // Only flags the user typed conflict with --layers; the defaults of --depth/--width do not.
    if (given.has('depth') && values.depth !== values.layers.length) {
      throw new UsageError(`--layers gives ${values.layers.length} hidden layers but --depth says ${values.depth}; give one or make them agree`);
    }
    if (given.has('width')) throw new UsageError('--width cannot be combined with --layers, which sets every width');
    return values.layers;
  }
  return defaultLayers(values.depth, values.width);
}

/**
 * Validates raw flags into a RunConfig, or throws a one-line UsageError naming the flag. Also
 * returns which options the user gave (the rest took their defaults).
 */
export function parseRunOptions(raw: RawRunOptions): { config: RunConfig; given: Set<RunOptionKey> } {
  const { values, given } = readRunOptions(raw);
  if (given.has('steps') && given.has('epochs')) {
    throw new UsageError('--steps and --epochs cannot both be given; pick one');
  }
  if (!values.batchNorm) {
    for (const key of ['bnMomentum', 'bnEps'] as const) {
      if (given.has(key)) throw new UsageError(`--${key === 'bnMomentum' ? 'bn-momentum' : 'bn-eps'} only applies with --batch-norm; add --batch-norm or drop it`);
    }
  }
  if (values.batchNorm) {
    // Their safetensors layout holds weights and biases only: γ, β and the running statistics would be lost.
    if (values.saveWeights !== null) throw new UsageError('--save-weights cannot be combined with --batch-norm yet (the file would lack γ, β and the running statistics)');
    if (values.initFrom !== null) throw new UsageError('--init-from cannot be combined with --batch-norm yet (the file holds no γ, β or running statistics)');
  }
  const layers = hiddenLayers(values, given);
  const initializer = parseInit(values.init);
  // Schemes that depend on the activation (book) reject it here, before anything runs.
  initializer.distribution(784, layers[0], { act: values.act, gain: values.gain });
  const config: RunConfig = {
    layers,
    depth: layers.length,
    act: values.act,
    alpha: values.alpha,
    init: initializer.name,
    gain: values.gain,
    biasStd: values.biasStd,
    optimizer: values.optimizer,
    lr: values.lr,
    momentum: values.momentum,
    batch: values.batch,
    steps: values.steps,
    epochs: values.epochs,
    seed: values.seed,
    data: values.data,
    trainSize: values.trainSize,
    testSize: values.testSize,
    standardize: values.standardize,
    probeSize: values.probeSize,
    logEvery: values.logEvery,
    backend: values.backend,
    threads: values.threads,
    out: values.out,
    saveWeights: values.saveWeights,
    initFrom: values.initFrom,
    tensorboard: values.tensorboard,
  };
  if (values.clipNorm !== null) config.clipNorm = values.clipNorm;
  if (values.clipValue !== null) config.clipValue = values.clipValue;
  if (values.batchNorm) config.batchNorm = { momentum: values.bnMomentum, eps: values.bnEps };
  return { config, given };
}

/** Validates raw flags into a RunConfig (see parseRunOptions). */
export function parseRunConfig(raw: RawRunOptions): RunConfig {
  return parseRunOptions(raw).config;
}

/** Steps for the run once the train split's size is known (resolves --epochs). */
export function resolveSteps(config: RunConfig, trainSamples: number): number {
  if (config.epochs === null) return config.steps;
  return Math.ceil((config.epochs * trainSamples) / config.batch);
}
