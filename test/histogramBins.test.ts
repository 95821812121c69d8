/**
 * The probe histogram (counted on the host) on hand-made values whose bins are known (in-process,
 * no CLI: mutation testing runs this file for src/probes/histograms.ts and binSpecs.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BinSpec } from '../src/probes/binSpecs.js';

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

describe('bin specifications, by hand (src/probes/binSpecs.ts)', () => {
  // [-1, 1] in 4 bins of 0.5 (7 counts); decades 1e-2…1e1, D = 3 (12 counts).
  const LINEAR_4: BinSpec = { kind: 'linear', low: -1, high: 1, bins: 4 };
  const LOG_3: BinSpec = { kind: 'signed-log10', minExp: -2, maxExp: 1 };
  test('which bins each activation gets, and how many counts a spec has', async () => {
    const { actBinsFor, binCount, GRAD_BINS, UNBOUNDED_ACT_BINS } = await import('../src/probes/binSpecs.js');
    assert.deepEqual(actBinsFor('sigmoid'), { kind: 'linear', low: 0, high: 1, bins: 20 });
    assert.deepEqual(actBinsFor('softmax'), { kind: 'linear', low: 0, high: 1, bins: 20 });
    assert.deepEqual(actBinsFor('tanh'), { kind: 'linear', low: -1, high: 1, bins: 20 });
    assert.deepEqual(actBinsFor('softsign'), { kind: 'linear', low: -1, high: 1, bins: 20 });
    for (const act of ['relu', 'elu', 'selu', 'leaky-relu', 'linear'] as const) assert.deepEqual(actBinsFor(act), { kind: 'signed-log10', minExp: -8, maxExp: 8 });
    assert.deepEqual(UNBOUNDED_ACT_BINS, { kind: 'signed-log10', minExp: -8, maxExp: 8 });
    assert.deepEqual(GRAD_BINS, { kind: 'signed-log10', minExp: -16, maxExp: 8 });
    // linear: under, 4 bins, over, NaN; log with D = 3 decades: over, 3, tiny, 0, tiny, 3, over, NaN.
    assert.equal(binCount(LINEAR_4), 7);
    assert.equal(binCount(LOG_3), 12);
  });

  test('decadeOf is floor(log10 x), exact on powers of ten, normal and subnormal', async () => {
    const { decadeOf } = await import('../src/probes/binSpecs.js');
    const cases: [number, number][] = [[1, 0], [9.999, 0], [10, 1], [0.1, -1], [0.0999, -2], [1e-300, -300], [5e-320, -320], [1e300, 300], [123456, 5], [2, 0], [1e-16, -16], [9.99e-17, -17]];
    for (const [x, decade] of cases) assert.equal(decadeOf(x), decade, `decadeOf(${x})`);
    for (let k = -300; k <= 300; k += 7) assert.equal(decadeOf(Number(`1e${k}`)), k, `1e${k}`);
  });

  test('binIndex agrees with the counted histogram, value by value', async () => {
    const { binIndex } = await import('../src/probes/binSpecs.js');
    const { histogram } = await import('../src/probes/histograms.js');
    // One value: a single count, in bin `index` of the 7 (LINEAR_4) or 12 (LOG_3).
    const oneAt = (length: number, index: number) => Array.from({ length }, (_, i) => (i === index ? 1 : 0));
    const linearCases: [number, number][] = [[-2, 0], [-1, 1], [-0.75, 1], [-0.5, 2], [0, 3], [0.25, 3], [0.5, 4], [1, 4], [1.5, 5], [NaN, 6]];
    for (const [x, index] of linearCases) {
      assert.equal(binIndex(LINEAR_4, x), index, `linear ${x}`);
      assert.deepEqual(histogram([x], LINEAR_4), oneAt(7, index), `linear histogram of ${x}`);
    }
    const logCases: [number, number][] = [[-50, 0], [-Infinity, 0], [-3, 1], [-0.3, 2], [-0.05, 3], [-1e-5, 4], [0, 5], [1e-5, 6], [0.01, 7], [0.5, 8], [5, 9], [10, 10], [Infinity, 10], [NaN, 11]];
    for (const [x, index] of logCases) {
      assert.equal(binIndex(LOG_3, x), index, `log ${x}`);
      assert.deepEqual(histogram([x], LOG_3), oneAt(12, index), `log histogram of ${x}`);
    }
  });

  test('labels and chart positions, one per count', async () => {
    const { binCenters, binLabels } = await import('../src/probes/binSpecs.js');
    assert.deepEqual(binLabels(LINEAR_4), ['< -1', '[-1, -0.5)', '[-0.5, 0)', '[0, 0.5)', '[0.5, 1]', '> 1', 'NaN']);
    assert.deepEqual(binLabels(LOG_3), ['≤ -1e1', '-1e0', '-1e-1', '-1e-2', '(-1e-2, 0)', '0', '(0, 1e-2)', '+1e-2', '+1e-1', '+1e0', '≥ 1e1', 'NaN']);
    // Linear: bin middles, the under/overflow half a bin outside; log: signed decades above the tiny bin.
    assert.deepEqual(binCenters(LINEAR_4), [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25, NaN]);
    assert.deepEqual(binCenters(LOG_3), [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, NaN]);
  });
});
