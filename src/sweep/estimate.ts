/**
 * A rough time for a sweep before it runs, from each cell's multiply-adds (no timing run: a
 * `--dry-run` stays instant). Training steps are small matrix products (batch 64) and run at about
 * 4 GFLOP/s per worker on the wasm backend; the probes and the final evaluation multiply hundreds
 * of rows at once and run ~10× faster; a worker takes about 1 s to start a cell. Fitted to the
 * measured experiment files (experiments/measured/*.json, 2 cores): within ×2 of each, faster
 * than measured on a loaded machine. The native backend is faster. It is an order of magnitude
 * for the user to decide whether to start, nothing is judged by it.
 */
import type { RunConfig } from '../config/runConfig.js';
import { resolveSteps } from '../config/runConfig.js';
import { parseDataSource } from '../data/sources.js';
import { PROBE_SIZE } from '../config/options.js';

const TRAIN_FLOPS_PER_SECOND = 4e9;
const BATCHED_FLOPS_PER_SECOND = 4e10;
const CELL_START_SECONDS = 1;
/** MNIST's own split sizes, for an idx: source read whole. */
const FULL_SPLITS = { train: 60_000, test: 10_000 };
const FEATURES = 784;
const CLASSES = 10;

/** Seconds one cell takes by the model above. */
export function cellSeconds(config: RunConfig): number {
  const sizes = [FEATURES, ...config.layers, CLASSES];
  let weights = 0;
  for (let l = 0; l + 1 < sizes.length; l++) weights += sizes[l] * sizes[l + 1];
  const defaults = parseDataSource(config.data)?.source.defaultSizes ?? FULL_SPLITS;
  const split = defaults === 'all' ? FULL_SPLITS : defaults;
  const train = config.trainSize ?? split.train;
  const test = config.testSize ?? split.test;
  const steps = resolveSteps(config, train);
  const probes = Math.floor(steps / config.logEvery) + 2;
  const probeRows = config.probeSize ?? Math.min(PROBE_SIZE, test);
  // Forward 2, backward 4 flops per weight and row.
  const trainFlops = 6 * weights * config.batch * steps;
  const batchedFlops = 6 * weights * probeRows * probes + 2 * weights * (train + test);
  return CELL_START_SECONDS + trainFlops / TRAIN_FLOPS_PER_SECOND + batchedFlops / BATCHED_FLOPS_PER_SECOND;
}

/** Seconds for `configs` on `workers` workers (the cells share the workers evenly). */
export function sweepSeconds(configs: RunConfig[], workers: number): number {
  if (configs.length === 0) return 0;
  let total = 0;
  let longest = 0;
  for (const config of configs) {
    const seconds = cellSeconds(config);
    total += seconds;
    longest = Math.max(longest, seconds);
  }
  return Math.max(longest, total / Math.max(1, Math.min(workers, configs.length)));
}

/** 40 s, 12 min, 3.5 h, 2.1 days. */
export function durationText(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
