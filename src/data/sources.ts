/**
 * The data sources `--data` names, one entry each: how it is written, its help, its default split
 * sizes, what is known of its inputs without loading them, and how it loads. The flag's reader, its
 * help, the --train-size/--test-size help, the loader and the theory's input moment all read these,
 * so a source is parsed by one function and named in one place.
 */
import { UsageError } from '../util/errors.js';
import { type Rng } from '../util/random.js';
import { type Dataset, type Split, takeRows } from './dataset.js';
import { gaussianSplit } from './gaussian.js';
import { loadIdxDataset } from './idx.js';
import { loadMnistPackage, MNIST_PACKAGE_FEATURES } from './mnistPackage.js';
import { readPackedMnist } from './mnistPacked.js';
import { stratifiedPicks } from './split.js';

const CLASSES = 10;
/** The split of mnist and gaussian when --train-size/--test-size are not given. */
const DEFAULT_SIZES = { train: 8000, test: 2000 };

/** --train-size and --test-size as given (undefined: the source's default). */
export interface SplitSizes {
  train?: number;
  test?: number;
}

/** The first layer's input as the mean-field theory needs it: width, classes and E[x²]. */
export interface InputMoment {
  features: number;
  classes: number;
  inputSecondMoment: number;
}

export interface DataSource {
  /** 'mnist', or for a source that takes a value, its prefix without the colon ('idx'). */
  name: string;
  /** What follows `name:` in --data ('DIR'); undefined for a source without a value. */
  argument?: string;
  /** Said in brackets after it in --data's help ('' for nothing). */
  help: string;
  /** The split when no size is given: rows, or 'all' of the source's own train and test sets. */
  defaultSizes: { train: number; test: number } | 'all';
  /** Known without loading anything when the inputs are not standardized; null when they must be read. */
  knownInput: InputMoment | null;
  /** Its labels are drawn at random: a net has nothing to learn, and the training verdict does not judge it. */
  randomLabels: boolean;
  /** The train and test splits (before --standardize), drawn with `rng` (the seed's 'data' stream). */
  load(argument: string, sizes: SplitSizes, rng: Rng): Dataset;
}

function stratifiedSubset(split: Split, size: number | undefined, features: number, rng: Rng, what: string): Split {
  const available = split.labels.length;
  if (size !== undefined && size > available) {
    throw new UsageError(`--${what}-size ${size}: the data has only ${available} ${what} samples`);
  }
  const [pick] = stratifiedPicks(split.labels, CLASSES, [size ?? available], rng);
  return takeRows(split, pick, features);
}

export const DATA_SOURCES: readonly DataSource[] = [
  {
    name: 'mnist',
    help: 'embedded 10k digits',
    defaultSizes: DEFAULT_SIZES,
    knownInput: null,
    randomLabels: false,
    load: (_argument, sizes, rng) => {
      // The build's packed copy of the digits when it matches the installed package, else the JSON.
      const all = readPackedMnist() ?? loadMnistPackage();
      const trainSize = sizes.train ?? DEFAULT_SIZES.train;
      const testSize = sizes.test ?? DEFAULT_SIZES.test;
      if (trainSize + testSize > all.labels.length) {
        throw new UsageError(`--train-size ${trainSize} plus --test-size ${testSize} exceed the ${all.labels.length} digits of the embedded mnist data`);
      }
      const [trainRows, testRows] = stratifiedPicks(all.labels, CLASSES, [trainSize, testSize], rng);
      const features = MNIST_PACKAGE_FEATURES;
      return { name: 'mnist', features, classes: CLASSES, train: takeRows(all, trainRows, features), test: takeRows(all, testRows, features) };
    },
  },
  {
    name: 'gaussian',
    help: '',
    defaultSizes: DEFAULT_SIZES,
    // MNIST-shaped N(0,1) inputs with 10 random labels: E[x²] = 1 by construction.
    knownInput: { features: MNIST_PACKAGE_FEATURES, classes: CLASSES, inputSecondMoment: 1 },
    randomLabels: true,
    load: (_argument, sizes, rng) => {
      const features = MNIST_PACKAGE_FEATURES;
      const train = gaussianSplit(sizes.train ?? DEFAULT_SIZES.train, features, CLASSES, rng);
      const test = gaussianSplit(sizes.test ?? DEFAULT_SIZES.test, features, CLASSES, rng);
      return { name: 'gaussian', features, classes: CLASSES, train, test };
    },
  },
  {
    name: 'idx',
    argument: 'DIR',
    help: 'MNIST/Fashion-MNIST IDX files',
    defaultSizes: 'all',
    knownInput: null,
    randomLabels: false,
    load: (dir, sizes, rng) => {
      if (dir === '') throw new UsageError('--data idx:DIR: give the folder that holds the IDX files, e.g. --data idx:./fashion');
      const full = loadIdxDataset(dir);
      return {
        ...full,
        train: stratifiedSubset(full.train, sizes.train, full.features, rng, 'train'),
        test: stratifiedSubset(full.test, sizes.test, full.features, rng, 'test'),
      };
    },
  },
];

/** How --data writes a source: 'mnist', 'idx:DIR'. */
export function dataSourceSyntax(source: DataSource): string {
  return source.argument === undefined ? source.name : `${source.name}:${source.argument}`;
}

export const DATA_SOURCE_SYNTAX = DATA_SOURCES.map(dataSourceSyntax);

/**
 * What --data's text names: its source, the value after `name:` (as typed: a folder keeps its case)
 * and the canonical text (name in lower case, then the value), or undefined when it names none.
 */
export function parseDataSource(text: string): { source: DataSource; argument: string; canonical: string } | undefined {
  const trimmed = text.trim();
  const lowered = trimmed.toLowerCase();
  for (const source of DATA_SOURCES) {
    if (source.argument === undefined) {
      if (lowered === source.name) return { source, argument: '', canonical: source.name };
    } else if (lowered.startsWith(`${source.name}:`)) {
      const argument = trimmed.slice(source.name.length + 1);
      return { source, argument, canonical: `${source.name}:${argument}` };
    }
  }
  return undefined;
}

/**
 * Whether a stored run's data (its record's data.name: 'mnist', 'gaussian', 'idx:DIR') carry labels a
 * net can learn; a name this version does not know counts as learnable.
 */
export function labelsAreLearnable(dataName: string): boolean {
  return !(parseDataSource(dataName)?.source.randomLabels ?? false);
}
