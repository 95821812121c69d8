/**
 * Every field of the run record and of metrics.jsonl checked for what it means, against values
 * this file computes independently (from another code path of the same run, or from a fixture
 * whose answer is known by construction).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { hashPixel, writeIdxSet } from './fixtures.js';
import { isStoredNonFinite, onRepeatPass, runCli, tempDir } from './helpers.js';

interface Context { after(fn: () => void): void }
type Json = any;

function run(t: Context, args: string[]) {
  const out = tempDir(t);
  const result = runCli(['run', '--json', '--out', out, ...args]);
  assert.equal(result.status, 0, result.stderr);
  const record: Json = JSON.parse(result.stdout);
  const [runId] = readdirSync(join(out, 'runs'));
  const dir = join(out, 'runs', runId);
  const metrics: Json[] = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return { record, metrics, dir, runId, stdout: result.stdout };
}

function near(actual: number, expected: number, relTol: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= relTol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

const N = 64;
/** Train split = test split, one batch holds all of it: every step's batch loss is the previous probe's loss. */
function fullBatchSet(t: Context, label?: (split: 'train' | 'test', i: number) => number) {
  const dir = tempDir(t);
  writeIdxSet(dir, N, N, { pixel: (_split, k) => hashPixel(k), label });
  return dir;
}
const fullArgs = (dir: string) => ['--data', `idx:${dir}`, '--batch', String(N), '--probe-size', String(N), '--depth', '2', '--width', '20', '--act', 'tanh', '--init', 'xavier', '--optimizer', 'sgd', '--lr', '0.5'];
const METRICS_KEYS = ['step', 'epoch', 'elapsedMs', 'trainLoss', 'trainAcc', 'probeLoss', 'probeAcc', 'layers', 'histograms'];
const STATS_KEYS = ['weightStd', 'preactMean', 'preactVar', 'actMean', 'actVar', 'saturated', 'dead', 'gradVar', 'weightGradVar', 'weightGradNorm', 'updateRatio'];

describe('the run record and metrics.jsonl, field by field', () => {
  test('trainLoss/trainAcc are the MEAN over the steps since the last probe; final.* are the whole splits', (t) => {
    const dir = fullBatchSet(t);
    const everyStep = run(t, [...fullArgs(dir), '--steps', '4', '--log-every', '1']);
    const once = run(t, [...fullArgs(dir), '--steps', '4', '--log-every', '4']);
    const m = everyStep.metrics;
    assert.deepEqual(m.map((p) => p.step), [0, 1, 2, 3, 4]);
    assert.ok(m[4].probeLoss < m[0].probeLoss * 0.99, 'training moved the loss, so a sum and a mean differ');
    for (const point of m) assert.deepEqual(Object.keys(point).sort(), [...METRICS_KEYS].sort());
    assert.equal(m[0].trainLoss, null);
    assert.equal(m[0].trainAcc, null);
    // Full batch: step s trains on exactly the probe samples at the weights the step-(s−1) probe saw.
    // 1e-5: float32 sums of the same 64 rows in another order.
    for (let s = 1; s <= 4; s++) {
      near(m[s].trainLoss, m[s - 1].probeLoss, 1e-5, `trainLoss at step ${s}`);
      assert.equal(m[s].trainAcc, m[s - 1].probeAcc, `trainAcc at step ${s}`);
    }
    // One probe after 4 steps: the mean of the 4 step losses (a sum would be 4×).
    const [, last] = once.metrics;
    assert.deepEqual(once.metrics.map((p) => p.step), [0, 4]);
    near(last.trainLoss, mean(m.slice(0, 4).map((p) => p.probeLoss)), 1e-5, 'trainLoss over steps 1–4');
    near(last.trainAcc, mean(m.slice(0, 4).map((p) => p.probeAcc)), 1e-9, 'trainAcc over steps 1–4');
    // Probing changes nothing in training.
    assert.deepEqual(once.record.final, everyStep.record.final);
    assert.deepEqual(once.record.layers.map((l: Json) => l.final), everyStep.record.layers.map((l: Json) => l.final));
    // final.* evaluated on the whole splits after training: here both are the probe set, at the last weights.
    const { record } = everyStep;
    near(record.final.loss, m[4].probeLoss, 1e-5, 'final.loss');
    assert.equal(record.final.trainAcc, m[4].probeAcc);
    assert.equal(record.final.testAcc, m[4].probeAcc);
    assert.equal(record.final.step, 4);
  });

  test('testAcc is measured on the test split: same images, labels swapped ⇒ trainAcc + testAcc ≤ 1', (t) => {
    // Label = whether pixel 0 is bright, flipped in the test split: a net that learns the training
    // labels must get the test labels wrong on the same images. A prediction cannot equal both labels.
    const bright = (i: number) => (hashPixel(i * 12) > 128 ? 1 : 0);
    const dir = fullBatchSet(t, (split, i) => (split === 'train' ? bright(i) : 1 - bright(i)));
    const { record, metrics } = run(t, ['--data', `idx:${dir}`, '--batch', '16', '--probe-size', String(N), '--depth', '1', '--act', 'relu', '--optimizer', 'adam', '--lr', '0.02', '--steps', '60', '--log-every', '60']);
    assert.ok(record.final.trainAcc >= 0.9, `learned the training labels: trainAcc ${record.final.trainAcc}`);
    assert.ok(record.final.trainAcc + record.final.testAcc <= 1 + 1e-12, `trainAcc ${record.final.trainAcc} + testAcc ${record.final.testAcc}`);
    // The probe batch is the test split too, so it agrees with testAcc, and its loss is the high one.
    assert.equal(metrics[1].probeAcc, record.final.testAcc);
    assert.ok(metrics[1].probeLoss > record.final.loss, 'final.loss is the training split\'s');
  });

  test('every field of a record: kind, index, shapes, initial/final = first/last probe, data, timing, backend, config', (t) => {
    const dir = fullBatchSet(t);
    const { record, metrics, runId, dir: runDir, stdout } = run(t, [...fullArgs(dir), '--steps', '5', '--log-every', '100']);
    assert.equal(record.schema, 'vgrad.run/2');
    assert.equal(record.runId, runId);
    assert.deepEqual(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')), JSON.parse(stdout));
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    assert.deepEqual(config, record.config);
    assert.equal(record.config.steps, 5);
    assert.deepEqual(record.config.layers, [300, 20]);
    // Layers: hidden 1..depth, then the output layer.
    assert.deepEqual(record.layers.map((l: Json) => [l.index, l.kind, l.fanIn, l.fanOut]), [[1, 'hidden', 12, 300], [2, 'hidden', 300, 20], [3, 'output', 20, 10]]);
    // A probe at the last step even when --log-every does not land on it.
    assert.deepEqual(metrics.map((p) => p.step), [0, 5]);
    record.layers.forEach((l: Json, i: number) => {
      assert.deepEqual(Object.keys(l.initial).sort(), [...STATS_KEYS].sort());
      assert.deepEqual(l.initial, metrics[0].layers[i]);
      assert.deepEqual(l.final, metrics[1].layers[i]);
      assert.notEqual(l.final.weightStd, l.initial.weightStd, `layer ${l.index}: trained weights differ from step 0's`);
      assert.equal(l.initial.updateRatio, null);
      assert.ok(l.final.updateRatio > 0);
      if (l.kind === 'output') {
        assert.equal(l.initial.saturated, null);
        assert.equal(l.initial.dead, null);
        near(l.initial.actMean, 0.1, 1e-6, 'softmax probabilities of 10 classes average 1/10');
      } else {
        assert.ok(l.initial.saturated >= 0 && l.initial.saturated <= 1);
      }
    });
    const { inputSecondMoment, ...sizes } = record.data;
    assert.deepEqual(sizes, { name: `idx:${dir}`, trainSamples: N, testSamples: N, probeSamples: N, features: 12 });
    // E[x²] over the training split's pixels (bytes / 255), computed here from the fixture itself.
    let sumSquares = 0;
    for (let k = 0; k < N * 12; k++) sumSquares += (hashPixel(k) / 255) ** 2;
    near(inputSecondMoment, sumSquares / (N * 12), 1e-6, 'inputSecondMoment');
    assert.equal(record.status, 'ok');
    assert.equal(record.divergedAt, null);
    // Timing: wall time to the last probe, per step.
    assert.equal(record.timing.trainMs, metrics[1].elapsedMs);
    near(record.timing.msPerStep, metrics[1].elapsedMs / 5, 1e-12, 'msPerStep');
    assert.ok(metrics[0].elapsedMs >= 0 && metrics[1].elapsedMs >= metrics[0].elapsedMs);
    assert.equal(metrics[1].epoch, 5, 'one batch per pass of 64 samples: step 5 is in pass 5');
    assert.equal(record.backend.name, record.config.backend);
    assert.ok(['wasm', 'cpu', 'tensorflow'].includes(record.backend.name));
  });

  test('--steps 0: final = initial, msPerStep null, and final.* equal the probe on the same samples', (t) => {
    const dir = fullBatchSet(t);
    const { record, metrics } = run(t, [...fullArgs(dir), '--steps', '0']);
    assert.equal(record.timing.msPerStep, null);
    assert.equal(metrics.length, 1);
    near(record.final.loss, metrics[0].probeLoss, 1e-5, 'final.loss at initialization');
    assert.equal(record.final.testAcc, metrics[0].probeAcc);
  });

  test('a non-finite GRADIENT with a finite loss ends the run as diverged at that very step', (t) => {
    // All-zero images and zero biases: every z is 0, the logits are 0 and the loss is ln 10, finite.
    // Backward through linear layers with weights N(0, S²), S = 4e12, ∂L/∂z of the batch-mean loss
    // reaches layer 1 with std ≈ 0.95·S/B · (10·S) · (10·S) = 95·S³/B (fan-outs 100 and 100):
    // 7.6e38 at batch 8, beyond float32's 3.4e38, so step 1's gradient is ±Inf while its loss is
    // not; on the 512-sample probe batch it is 1.2e37 (max over 153,600 entries ≈ 4.5σ = 5e37),
    // finite, so the step-0 check passes and only the training loop's gradient check can catch it.
    const dir = tempDir(t);
    writeIdxSet(dir, 32, 512, { pixel: () => 0 });
    const { record, metrics } = run(t, ['--data', `idx:${dir}`, '--batch', '8', '--act', 'linear', '--init', 'normal:4e12', '--depth', '3', '--steps', '5']);
    near(metrics[0].probeLoss, Math.log(10), 1e-6, 'loss stays finite');
    assert.equal(record.data.probeSamples, 512);
    assert.ok(Number.isFinite(record.layers[0].initial.gradVar), 'the probe batch\'s gradient is finite at step 0');
    assert.equal(record.status, 'diverged');
    assert.equal(record.divergedAt, 1, 'the update with a non-finite gradient is never applied');
    assert.equal(record.final.step, 0);
    assert.deepEqual(metrics.map((m) => m.step), [0]);
  });

  test('data.inputSecondMoment is E[x²] over the TRAINING split (test images all black here)', { skip: onRepeatPass('data.* describes the data set, which the backend does not touch') }, (t) => {
    const dir = tempDir(t);
    writeIdxSet(dir, N, N, { pixel: (split, k) => (split === 'train' ? hashPixel(k) : 0) });
    const { record } = run(t, ['--data', `idx:${dir}`, '--batch', String(N), '--probe-size', String(N), '--depth', '1', '--width', '8', '--steps', '0']);
    let sumSquares = 0;
    for (let k = 0; k < N * 12; k++) sumSquares += (hashPixel(k) / 255) ** 2;
    // 1e-6: the record's mean is summed in float64 too, in another order.
    near(record.data.inputSecondMoment, sumSquares / (N * 12), 1e-6, 'inputSecondMoment');
  });

  test('data.* on the embedded mnist', { skip: onRepeatPass('data.* describes the data set, which the backend does not touch') }, (t) => {
    const { record } = run(t, ['--train-size', '100', '--test-size', '50', '--probe-size', '30', '--steps', '0', '--depth', '1']);
    const { inputSecondMoment, ...sizes } = record.data;
    assert.deepEqual(sizes, { name: 'mnist', trainSamples: 100, testSamples: 50, probeSamples: 30, features: 784 });
    // MNIST pixels in [0, 1]: E[x²] = 0.3081² + 0.1307² ≈ 0.112 over all 60k training digits; 100 digits are within ±20%.
    assert.ok(Math.abs(inputSecondMoment / 0.112 - 1) < 0.2, `inputSecondMoment ${inputSecondMoment}`);
    assert.equal(Math.round(record.final.testAcc * 50), record.final.testAcc * 50);
  });
});
