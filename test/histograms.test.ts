/**
 * Fixed-bin histograms in metrics.jsonl: bins as docs/formats.md documents them, counts summing to the
 * number of values, and a cross-check against the probe's sat (the hand-computed case on the device
 * is test/histogramBins.test.ts, in-process, which mutation testing runs).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, tempDir } from './helpers.js';

const QUICK = ['--data', 'gaussian', '--train-size', '300', '--test-size', '100', '--probe-size', '100', '--quiet', '--json'];

function metrics(out: string) {
  const [runId] = readdirSync(join(out, 'runs'));
  return readFileSync(join(out, 'runs', runId, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

describe('histograms in metrics.jsonl', () => {
  const out = tempDir();
  after(() => rmSync(out, { recursive: true, force: true }));

  test('every probe point, every layer: documented bins; counts sum to probe samples × units', () => {
    const run = runCli(['run', ...QUICK, '--act', 'tanh', '--init', 'xavier', '--layers', '30,20', '--steps', '2', '--log-every', '1', '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    const record = JSON.parse(run.stdout);
    assert.equal(JSON.stringify(record).includes('histograms'), false, 'summary.json stays small: no histograms');
    const points = metrics(out);
    assert.deepEqual(points.map((p) => p.step), [0, 1, 2]);
    const widths = [30, 20, 10];
    for (const point of points) {
      assert.equal(point.histograms.length, 3);
      point.histograms.forEach((h: { act: { bins: unknown; counts: number[] }; grad: { bins: unknown; counts: number[] } }, l: number) => {
        const values = 100 * widths[l];
        // tanh: 20 linear bins on [-1, 1] plus under, over, NaN; softmax output: [0, 1].
        assert.deepEqual(h.act.bins, l < 2 ? { kind: 'linear', low: -1, high: 1, bins: 20 } : { kind: 'linear', low: 0, high: 1, bins: 20 });
        assert.equal(h.act.counts.length, 23);
        // Gradients: signed decades 1e-16…1e8: 24 per sign + over, tiny per sign + zero + NaN = 54.
        assert.deepEqual(h.grad.bins, { kind: 'signed-log10', minExp: -16, maxExp: 8 });
        assert.equal(h.grad.counts.length, 54);
        for (const counts of [h.act.counts, h.grad.counts]) {
          assert.ok(counts.every((c) => Number.isInteger(c) && c >= 0));
          assert.equal(counts.reduce((a, b) => a + b, 0), values);
        }
        // tanh never leaves [-1, 1] and nothing is NaN here.
        assert.equal(h.act.counts[0] + h.act.counts[21] + h.act.counts[22], 0);
      });
    }
  });

  test('relu: the zero bin of φ(z) holds exactly the pairs the probe counts as saturated (z < 0)', () => {
    const dir = tempDir();
    try {
      const run = runCli(['run', ...QUICK, '--act', 'relu', '--init', 'he', '--layers', '40,40', '--steps', '0', '--out', dir]);
      assert.equal(run.status, 0, run.stderr);
      const [point] = metrics(dir);
      for (let l = 0; l < 2; l++) {
        const h = point.histograms[l].act;
        assert.deepEqual(h.bins, { kind: 'signed-log10', minExp: -8, maxExp: 8 });
        // Layout: [-over, 16 negative decades, -tiny, zero, ...]: zero is index 16 + 2 = 18.
        const zero = h.counts[18];
        // sat is a float32 mean of 0/1 over 4000 pairs: within 1e-6 (float32 rounding) of the exact share.
        assert.ok(Math.abs(zero / 4000 - point.layers[l].saturated) < 1e-6, `layer ${l + 1}: ${zero} vs ${point.layers[l].saturated}`);
        // relu is never negative: every count below the zero bin is 0.
        assert.equal(h.counts.slice(0, 18).reduce((a: number, b: number) => a + b, 0), 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
