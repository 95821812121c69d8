/**
 * The device histogram on hand-made values whose bins are known (in-process, no CLI: mutation
 * testing runs this file for src/probes/histograms.ts and binSpecs.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

describe('the device histogram, by hand', () => {
  test('linear and signed-log10 bins of known values (wasm and cpu)', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const { histogram } = await import('../src/probes/histograms.js');
    await tf.setBackend('cpu');
    // [-1, 1] in 4 bins of 0.5: under, [-1,-.5), [-.5,0), [0,.5), [.5,1], over, NaN.
    const linear = tf.tensor1d([-2, -1, -0.75, -0.5, 0, 0.25, 0.99, 1, 1.5, NaN, Infinity, -Infinity]);
    const lc = Array.from(histogram(linear, { kind: 'linear', low: -1, high: 1, bins: 4 }).dataSync());
    assert.deepEqual(lc, [2, 2, 1, 2, 2, 2, 1]);
    // Decades 1e-2…1e1 (D = 3): [-over, -1e0, -1e-1, -1e-2, -tiny, 0, +tiny, +1e-2, +1e-1, +1e0, +over, NaN].
    const log = tf.tensor1d([-50, -Infinity, -3, -0.05, -1e-5, 0, 0, 2e-3, 0.02, 0.5, 5, 20, Infinity, NaN]);
    const gc = Array.from(histogram(log, { kind: 'signed-log10', minExp: -2, maxExp: 1 }).dataSync());
    assert.deepEqual(gc, [2, 1, 0, 1, 1, 2, 1, 1, 1, 1, 2, 1]);
  });
});
