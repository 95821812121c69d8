import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '../src/backend/tf.js';
import { selectBackend } from '../src/backend/select.js';
import { loadDataset } from '../src/data/load.js';
import { parseInit } from '../src/model/initializers.js';
import { createMlp, disposeMlp } from '../src/model/mlp.js';
import { train } from '../src/train/loop.js';

describe('tensor leaks', () => {
  before(async () => {
    await selectBackend('auto');
  });

  test('the tensor count is flat over many steps, with probes, for every optimizer', async () => {
    const data = loadDataset({ data: 'gaussian', seed: 1, standardize: false, trainSize: 640, testSize: 128 });
    for (const optimizer of ['sgd', 'momentum', 'adam'] as const) {
      const model = createMlp({ sizes: [784, 64, 32, 32, 10], act: 'tanh', alpha: 0 }, parseInit('xavier'), { act: 'tanh', gain: 1 }, 3);
      const counts: number[] = [];
      await train(model, data, { optimizer, lr: 0.01, momentum: 0.9, batch: 32, steps: 300, seed: 1, probeSize: 64, logEvery: 20 }, {
        onStep: (step) => {
          // Off the probe steps, where the pre-update weights are briefly held for the update ratio.
          if (step % 50 === 1) counts.push(tf.memory().numTensors);
        },
      });
      disposeMlp(model);
      // Adam and momentum create their slots on the first update; from step 50 on nothing may grow.
      assert.equal(new Set(counts).size, 1, `${optimizer}: tensor counts at steps 51..251: ${counts}`);
    }
  });

  test('a whole run (model, training, evaluation) leaves no tensor behind', async () => {
    const data = loadDataset({ data: 'gaussian', seed: 2, standardize: false, trainSize: 200, testSize: 64 });
    const start = tf.memory().numTensors;
    for (let run = 0; run < 3; run++) {
      const model = createMlp({ sizes: [784, 16, 10], act: 'relu', alpha: 0 }, parseInit('orthogonal'), { act: 'relu', gain: 1 }, run + 1);
      await train(model, data, { optimizer: 'adam', lr: 0.01, momentum: 0, batch: 20, steps: 12, seed: 1, probeSize: 32, logEvery: 5 });
      disposeMlp(model);
    }
    assert.equal(tf.memory().numTensors, start);
  });
});
