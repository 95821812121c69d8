import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../src/util/errors.js';
import { assertFitsMemory, estimateMemory, formatBytes } from '../src/train/memory.js';

/**
 * A net small enough to count by hand: 4 inputs → 3 hidden → 2 outputs, batch 5, probe 6,
 * evaluation chunk 7. Counts in float32 values (4 bytes each).
 */
const plan = { sizes: [4, 3, 2], batch: 5, probeSize: 6, evalChunk: 7 } as const;
const parameters = 4 * 3 + 3 + (3 * 2 + 2); // 23
const laterWeights = 3 * 2; // transposed weights of layer 2 in the backward pass
const largestLayer = 4 * 3 + 3; // 15
// Per sample: 7 per hidden unit (3), 3 for φ''s temporaries of the widest layer (3), 7 per output (2), 2 per input (4).
const perSample = 7 * 3 + 3 * 3 + 7 * 2 + 2 * 4; // 52
const probeBatch = 6 * (2 * 4 + 2); // inputs, transpose, targets: 60
const trainStep = parameters + laterWeights + 5 * perSample; // 289
// Probe rows also hold the saturation mask (1.25 per hidden value), moments' temporaries (2 × widest) and the softmax.
const probe = parameters + laterWeights + 6 * (perSample + 1.25 * 3 + 2 * 3 + 2); // 411.5
const evaluation = 7 * (3 * 3 + 3 * 2 + 4); // 133

describe('memory estimate', () => {
  test('sgd: weights, the probe batch and the largest phase (here the probe), hand-counted', () => {
    const estimate = estimateMemory({ ...plan, optimizer: 'sgd' });
    const update = 2 * parameters + 2 * largestLayer; // 76
    assert.equal(Math.max(trainStep, probe, update, evaluation), probe);
    assert.equal(estimate.bytes, 4 * (parameters + probeBatch + probe)); // 1978
    assert.deepEqual(estimate.parts, { parameters: 92, optimizer: 0, trainStep: 4 * trainStep, probe: 4 * probe, update: 4 * update, evaluation: 4 * evaluation });
  });

  test('momentum keeps one slot per parameter, adam two plus 13 temporaries in its update', () => {
    const momentum = estimateMemory({ ...plan, optimizer: 'momentum' });
    assert.equal(momentum.parts.optimizer, 4 * parameters);
    assert.equal(momentum.bytes, 4 * (2 * parameters + probeBatch + probe));
    const adam = estimateMemory({ ...plan, optimizer: 'adam' });
    assert.equal(adam.parts.optimizer, 4 * 2 * parameters);
    assert.equal(adam.parts.update, 4 * (2 + 13) * parameters); // 345 values, still below the probe's 411.5
    assert.equal(adam.bytes, 4 * (3 * parameters + probeBatch + probe));
    // With 1000 parameters' worth of extra width the update dominates: 15 P > the probe.
    const wide = estimateMemory({ sizes: [400, 3, 2], batch: 1, probeSize: 1, evalChunk: 1, optimizer: 'adam' });
    const wideParameters = 400 * 3 + 3 + 3 * 2 + 2;
    assert.equal(wide.bytes, 4 * (wideParameters + 2 * wideParameters + 1 * (2 * 400 + 2) + 15 * wideParameters));
  });

  test('a large batch makes the training step the peak, growing linearly with the batch', () => {
    const estimate = estimateMemory({ ...plan, batch: 100, optimizer: 'sgd' });
    assert.equal(estimate.parts.trainStep, 4 * (parameters + laterWeights + 100 * perSample));
    assert.equal(estimate.bytes, 4 * (parameters + probeBatch + parameters + laterWeights + 100 * perSample));
  });

  test('largest tensor: a 100000 × 100000 weight matrix has 1e10 values', () => {
    const estimate = estimateMemory({ sizes: [784, 100000, 100000, 10], batch: 64, probeSize: 512, evalChunk: 1000, optimizer: 'sgd' });
    assert.equal(estimate.largestTensorElements, 100000 * 100000 + 100000);
  });

  test('a million layers do not overflow the stack', () => {
    const sizes = [784, ...new Array(1_000_000).fill(100), 10];
    assert.ok(estimateMemory({ sizes, batch: 64, probeSize: 512, evalChunk: 1000, optimizer: 'sgd' }).bytes > 1e12);
  });
});

describe('assertFitsMemory', () => {
  const estimate = estimateMemory({ ...plan, optimizer: 'sgd' }); // 1978 bytes
  test('at or under the limit passes; over it is one line with the estimate and the limit', () => {
    assert.doesNotThrow(() => assertFitsMemory(estimate, 1978, 'test'));
    assert.throws(
      () => assertFitsMemory(estimate, 1977, 'test'),
      (error: Error) => error instanceof UsageError && /needs about 1\.9 KiB of memory .*more than the 1\.9 KiB the test backend can use/.test(error.message) && !error.message.includes('\n'),
    );
  });
  test('a tensor no typed array can hold is refused even under an unlimited budget', () => {
    const huge = estimateMemory({ sizes: [784, 100000, 100000, 10], batch: 64, probeSize: 512, evalChunk: 1000, optimizer: 'sgd' });
    assert.throws(() => assertFitsMemory(huge, Infinity, 'test'), /one tensor would hold 1\.00e\+10 values/);
  });
  test('formatBytes uses binary units', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 2 ** 30), '3.0 GiB');
    assert.equal(formatBytes(1.6 * 2 ** 40), '1.6 TiB');
  });
});
