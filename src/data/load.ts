/** Resolves `--data` to a train/test Dataset, split and shuffled by the seed. */
import { UsageError } from '../util/errors.js';
import { rngFor } from '../util/random.js';
import { type Dataset, type Split, takeRows } from './dataset.js';
import { gaussianSplit } from './gaussian.js';
import { loadIdxDataset } from './idx.js';
import { loadMnistPackage, MNIST_PACKAGE_FEATURES } from './mnistPackage.js';
import { readPackedMnist } from './mnistPacked.js';
import { standardize, stratifiedPicks } from './split.js';

export interface DataOptions {
  /** "mnist", "gaussian" or "idx:DIR". */
  data: string;
  seed: number;
  /** Rows to train on; undefined means the source's default (8,000 for mnist and gaussian, all for idx). */
  trainSize?: number;
  testSize?: number;
  standardize: boolean;
}

/** The settings of a run that decide its data (a RunConfig has them; null sizes mean the source's default). */
export interface DataSettings {
  data: string;
  seed: number;
  trainSize: number | null;
  testSize: number | null;
  standardize: boolean;
}

/** The data options of a run's settings, so the run, `vgrad theory` and the probe-batch export load the same split. */
export function dataOptionsOf(settings: DataSettings): DataOptions {
  return {
    data: settings.data,
    seed: settings.seed,
    trainSize: settings.trainSize ?? undefined,
    testSize: settings.testSize ?? undefined,
    standardize: settings.standardize,
  };
}

export const DEFAULT_TRAIN_SIZE = 8000;
export const DEFAULT_TEST_SIZE = 2000;
const CLASSES = 10;

function stratifiedSubset(split: Split, size: number | undefined, features: number, rng: () => number, what: string): Split {
  const available = split.labels.length;
  if (size !== undefined && size > available) {
    throw new UsageError(`--${what}-size ${size}: the data has only ${available} ${what} samples`);
  }
  const [pick] = stratifiedPicks(split.labels, CLASSES, [size ?? available], rng);
  return takeRows(split, pick, features);
}

export function loadDataset(options: DataOptions): Dataset {
  const rng = rngFor(options.seed, 'data');
  let dataset: Dataset;
  if (options.data === 'mnist') {
    // The build's packed copy of the digits when it matches the installed package, else the JSON.
    const all = readPackedMnist() ?? loadMnistPackage();
    const trainSize = options.trainSize ?? DEFAULT_TRAIN_SIZE;
    const testSize = options.testSize ?? DEFAULT_TEST_SIZE;
    if (trainSize + testSize > all.labels.length) {
      throw new UsageError(`--train-size ${trainSize} plus --test-size ${testSize} exceed the ${all.labels.length} digits of the embedded mnist data`);
    }
    const [trainRows, testRows] = stratifiedPicks(all.labels, CLASSES, [trainSize, testSize], rng);
    const features = MNIST_PACKAGE_FEATURES;
    dataset = { name: 'mnist', features, classes: CLASSES, train: takeRows(all, trainRows, features), test: takeRows(all, testRows, features) };
  } else if (options.data === 'gaussian') {
    const features = MNIST_PACKAGE_FEATURES;
    const train = gaussianSplit(options.trainSize ?? DEFAULT_TRAIN_SIZE, features, CLASSES, rng);
    const test = gaussianSplit(options.testSize ?? DEFAULT_TEST_SIZE, features, CLASSES, rng);
    dataset = { name: 'gaussian', features, classes: CLASSES, train, test };
  } else if (options.data.startsWith('idx:')) {
    const dir = options.data.slice('idx:'.length);
    if (dir === '') throw new UsageError("--data idx:DIR: give the folder that holds the IDX files, e.g. --data idx:./fashion");
    const full = loadIdxDataset(dir);
    dataset = {
      ...full,
      train: stratifiedSubset(full.train, options.trainSize, full.features, rng, 'train'),
      test: stratifiedSubset(full.test, options.testSize, full.features, rng, 'test'),
    };
  } else {
    throw new UsageError(`--data '${options.data}' is not a data source; allowed: mnist, gaussian, idx:DIR`);
  }
  if (options.standardize) standardize(dataset.train, dataset.features, [dataset.train, dataset.test]);
  return dataset;
}
