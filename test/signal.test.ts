import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '../src/backend/tf.js';
import { selectBackend } from '../src/backend/select.js';
import { loadDataset } from '../src/data/load.js';
import { parseInit } from '../src/model/initializers.js';
import { batchTensors, createMlp, disposeBatch, disposeMlp } from '../src/model/mlp.js';
import { probe } from '../src/probes/layerStats.js';

const DEPTH = 20;
const LAYERS = [300, ...Array(DEPTH - 1).fill(100)];

/** Pre-activation variance of every hidden layer at initialization, on 512 N(0,1) inputs. */
function preactVars(init: string, seed: number): number[] {
  const data = loadDataset({ data: 'gaussian', seed, standardize: false, trainSize: 10, testSize: 512 });
  const model = createMlp({ sizes: [784, ...LAYERS, 10], act: 'relu', alpha: 0 }, parseInit(init), { act: 'relu', gain: 1 }, seed);
  const batch = batchTensors(data.test.x, data.test.labels, 784, 10);
  const stats = probe(model, batch);
  disposeBatch(batch);
  disposeMlp(model);
  return stats.layers.slice(0, DEPTH).map((layer) => layer.preactVar);
}

/** Geometric mean of the layer-to-layer ratio from hidden layer 3 (the first 100→100 layer) to 20. */
function ratioPerLayer(vars: number[]): number {
  return (vars[DEPTH - 1] / vars[2]) ** (1 / (DEPTH - 3));
}

describe('a 20-layer ReLU net at initialization (784-300-100×19-10)', () => {
  before(async () => {
    await selectBackend('auto');
  });
  for (const seed of [1, 2, 3]) {
    test(`seed ${seed}: Xavier halves the pre-activation variance every layer after the first two; He keeps it flat`, () => {
      const xavier = preactVars('xavier', seed);
      const he = preactVars('he', seed);
      // Xavier on 100→100 layers is Var(W) = 1/100, so ReLU's ½ goes uncorrected: ×0.5 per layer.
      const xavierRatio = ratioPerLayer(xavier);
      assert.ok(xavierRatio > 0.4 && xavierRatio < 0.6, `Xavier ratio per layer ${xavierRatio}`);
      // He's 2/fan_in cancels the ½: ×1 per layer, up to finite-width noise.
      const heRatio = ratioPerLayer(he);
      assert.ok(heRatio > 0.85 && heRatio < 1.15, `He ratio per layer ${heRatio}`);
      // Layer 1 sees the same inputs under both: Var(z¹) = 784 · Var(W) · E[x²].
      assert.ok(Math.abs(he[0] / 2 - 1) < 0.1, `He layer 1 preactVar ${he[0]} ≈ 2`);
      assert.ok(Math.abs(xavier[0] / ((784 * 2) / (784 + 300)) - 1) < 0.1, `Xavier layer 1 preactVar ${xavier[0]}`);
      // After 17 halvings Xavier's top layer is orders of magnitude below He's.
      assert.ok(he[DEPTH - 1] / xavier[DEPTH - 1] > 1e4);
    });
  }
});
