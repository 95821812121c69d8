/** Resolves `--data` to a train/test Dataset, split and shuffled by the seed. */
import { UsageError } from '../util/errors.js';
import { rngFor } from '../util/random.js';
import { type Dataset } from './dataset.js';
import { DATA_SOURCE_SYNTAX, parseDataSource } from './sources.js';
import { standardize } from './split.js';

export interface DataOptions {
  /** A --data source (sources.ts): "mnist", "gaussian" or "idx:DIR". */
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

export function loadDataset(options: DataOptions): Dataset {
  const named = parseDataSource(options.data);
  if (named === undefined) throw new UsageError(`--data '${options.data}' is not a data source; allowed: ${DATA_SOURCE_SYNTAX.join(', ')}`);
  const dataset = named.source.load(named.argument, { train: options.trainSize, test: options.testSize }, rngFor(options.seed, 'data'));
  if (options.standardize) standardize(dataset.train, dataset.features, [dataset.train, dataset.test]);
  return dataset;
}
