/**
 * The flag calibration grid (docs/run.md "Flag rules"): configurations that must be judged healthy and
 * ones that must be judged broken, measured in-process at step 0 with the real probe.
 * `node scripts/flag-calibration.mjs [probeSize]` prints the measurements (after `npm run build`).
 */
import { loadDataset } from '../src/data/load.js';
import type { Dataset } from '../src/data/dataset.js';
import type { ActivationName } from '../src/model/activations.js';
import { parseInit } from '../src/model/initializers.js';
import { batchTensors, createMlp, disposeBatch, disposeMlp } from '../src/model/mlp.js';
import { probe } from '../src/probes/layerStats.js';
import { judge, type RunVerdict, type Verdict } from '../src/probes/verdicts.js';

export interface CalibrationCase {
  act: ActivationName;
  init: string;
  depth: number;
  standardize: boolean;
  expected: RunVerdict;
}

export const HEALTHY_DEPTHS = [2, 5, 10, 20, 30];
const healthyPairs: [ActivationName, string, boolean][] = [
  ['relu', 'he', false],
  ['leaky-relu', 'he', false],
  ['elu', 'he', false],
  ['tanh', 'xavier', false],
  ['softsign', 'xavier', false],
  ['selu', 'lecun', true],
];

export const CALIBRATION: CalibrationCase[] = [
  ...healthyPairs.flatMap(([act, init, standardize]) => HEALTHY_DEPTHS.map((depth) => ({ act, init, depth, standardize, expected: 'healthy' as const }))),
  { act: 'relu', init: 'xavier', depth: 30, standardize: false, expected: 'vanishing' },
  { act: 'relu', init: 'standard', depth: 30, standardize: false, expected: 'vanishing' },
  { act: 'tanh', init: 'normal1', depth: 20, standardize: false, expected: 'exploding' },
  { act: 'sigmoid', init: 'normal1', depth: 3, standardize: false, expected: 'saturated' },
  { act: 'sigmoid', init: 'normal1', depth: 10, standardize: false, expected: 'saturated' },
  { act: 'sigmoid', init: 'standard', depth: 10, standardize: false, expected: 'vanishing' },
  { act: 'sigmoid', init: 'xavier', depth: 10, standardize: false, expected: 'vanishing' },
];

const datasets = new Map<string, Dataset>();

/** One configuration at step 0: the probe on the first `probeSize` test samples, judged. */
export function measureAtInit(c: CalibrationCase, data: 'gaussian' | 'mnist', seed: number, probeSize: number) {
  const key = `${data}:${seed}:${c.standardize}:${probeSize}`;
  let dataset = datasets.get(key);
  if (!dataset) {
    dataset = loadDataset({ data, seed, standardize: c.standardize, trainSize: 100, testSize: probeSize });
    datasets.set(key, dataset);
  }
  const sizes = [dataset.features, 300, ...Array(c.depth - 1).fill(100), dataset.classes];
  const model = createMlp({ sizes, act: c.act, alpha: 0.01 }, parseInit(c.init), { act: c.act, gain: 1 }, seed);
  const batch = batchTensors(dataset.test.x, dataset.test.labels, dataset.features, dataset.classes);
  const result = probe(model, batch);
  disposeBatch(batch);
  disposeMlp(model);
  const layers = result.layers.map((stats, l) => ({ kind: l < c.depth ? ('hidden' as const) : ('output' as const), fanIn: sizes[l], fanOut: sizes[l + 1], stats }));
  return { verdict: judge({ act: c.act, alpha: 0.01, layers }), layers };
}

/** Summary numbers of one measurement: the extremes the thresholds are compared with. */
export function summarize(verdict: Verdict, layers: ReturnType<typeof measureAtInit>['layers']) {
  const ratios = verdict.gradientRatio.filter((r): r is number => r !== null);
  const sats = layers.map((l) => l.stats.saturated).filter((s): s is number => s !== null);
  const deads = layers.map((l) => l.stats.dead).filter((s): s is number => s !== null);
  return {
    minRatio: Math.min(...ratios),
    maxRatio: Math.max(...ratios),
    maxSat: Math.max(...sats),
    maxDead: Math.max(...deads),
  };
}
