/**
 * The probe histogram (counted on the host) on hand-made values whose bins are known (in-process,
 * no CLI: mutation testing runs this file for src/probes/histograms.ts and binSpecs.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

describe('the probe histogram, by hand', () => {
  test('linear and signed-log10 bins of known values', async () => {
    const { histogram } = await import('../src/probes/histograms.js');
    // [-1, 1] in 4 bins of 0.5: under, [-1,-.5), [-.5,0), [0,.5), [.5,1], over, NaN.
    const linear = Float32Array.from([-2, -1, -0.75, -0.5, 0, 0.25, 0.99, 1, 1.5, NaN, Infinity, -Infinity]);
    assert.deepEqual(histogram(linear, { kind: 'linear', low: -1, high: 1, bins: 4 }), [2, 2, 1, 2, 2, 2, 1]);
    // Decades 1e-2…1e1 (D = 3): [-over, -1e0, -1e-1, -1e-2, -tiny, 0, +tiny, +1e-2, +1e-1, +1e0, +over, NaN].
    const log = Float32Array.from([-50, -Infinity, -3, -0.05, -1e-5, 0, 0, 2e-3, 0.02, 0.5, 5, 20, Infinity, NaN]);
    assert.deepEqual(histogram(log, { kind: 'signed-log10', minExp: -2, maxExp: 1 }), [2, 1, 0, 1, 1, 2, 1, 1, 1, 1, 2, 1]);
    // The scale applies before binning (the probe bins ∂L/∂z × batch size): 0.5 × 4 = 2 lands in +1e0.
    assert.deepEqual(histogram([0.5], { kind: 'signed-log10', minExp: -2, maxExp: 1 }, 4), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  test('values exactly on a power of ten open their own decade', async () => {
    const { histogram } = await import('../src/probes/histograms.js');
    // 1e-2, 1e-1 and 1 start the decades [1e-2,1e-1), [1e-1,1), [1,10): one count each, not one decade low.
    assert.deepEqual(histogram([0.01, 0.1, 1], { kind: 'signed-log10', minExp: -2, maxExp: 1 }), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
  });
});
