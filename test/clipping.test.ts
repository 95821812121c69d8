/**
 * Gradient clipping (--clip-norm, --clip-value), with values computed by hand, and through the CLI:
 * what the record, metrics.jsonl, the run table and the CSV say, and that a run without the flags
 * (or with a bound it never reaches) has the numbers it had before.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '../src/backend/tf.js';
import { selectBackend } from '../src/backend/select.js';
import { clipGradients } from '../src/train/loop.js';
import { assertRefusedInOneLine, runCli, tempDir } from './helpers.js';

before(async () => {
  await selectBackend('auto');
});

/** g = ([3, 4], [0]) has ‖g‖ = 5; max |entry| = 4. */
function clipOf(settings: { clipNorm?: number; clipValue?: number }) {
  const gradients = [tf.tensor1d([3, 4]), tf.tensor1d([0])];
  const result = clipGradients(gradients, settings);
  const values = result.gradients.map((t) => Array.from(t.dataSync()));
  tf.dispose(result.gradients);
  return { values, preClipNorm: result.preClipNorm, clipped: result.clipped };
}

function closeAll(actual: number[][], expected: number[][]) {
  actual.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-6, `${i},${j}: ${v} vs ${expected[i][j]}`)));
}

describe('clipGradients, by hand on g = ([3, 4], [0])', () => {
  test('by norm 1: g · 1/5 = ([0.6, 0.8], [0]); pre-clip norm 5', () => {
    const r = clipOf({ clipNorm: 1 });
    closeAll(r.values, [[0.6, 0.8], [0]]);
    assert.equal(r.preClipNorm, 5);
    assert.equal(r.clipped, true);
  });
  test('by norm 10 (above ‖g‖): unchanged, not counted as clipped', () => {
    const r = clipOf({ clipNorm: 10 });
    assert.deepEqual(r.values, [[3, 4], [0]]);
    assert.equal(r.clipped, false);
  });
  test('by value 3.5: ([3, 3.5], [0]); the pre-clip norm is still 5', () => {
    const r = clipOf({ clipValue: 3.5 });
    closeAll(r.values, [[3, 3.5], [0]]);
    assert.equal(r.preClipNorm, 5);
    assert.equal(r.clipped, true);
  });
  test('by value 3.5 then norm 1: ([3, 3.5] / √21.25, [0])', () => {
    const r = clipOf({ clipValue: 3.5, clipNorm: 1 });
    const n = Math.sqrt(9 + 12.25);
    closeAll(r.values, [[3 / n, 3.5 / n], [0]]);
    assert.equal(r.preClipNorm, 5);
  });
  test('by value 4 (= max |entry|): unchanged', () => {
    assert.equal(clipOf({ clipValue: 4 }).clipped, false);
  });
});

const SMALL = ['--data', 'gaussian', '--train-size', '200', '--test-size', '100', '--probe-size', '64', '--depth', '2', '--steps', '6', '--log-every', '3', '--quiet'];

describe('vgrad run --clip-norm / --clip-value', () => {
  test('a bound never reached gives the same numbers as no clipping; a tiny one clips every step and changes them', () => {
    const out = tempDir();
    const run = (extra: string[]) => {
      const r = runCli(['run', ...SMALL, ...extra, '--out', out, '--json']);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const plain = run([]);
    assert.equal(plain.clipping, undefined, 'no clipping block without the flags');
    assert.equal('clipNorm' in plain.config, false, 'the config of a run without clipping is as before');
    const loose = run(['--clip-norm', '1e9']);
    assert.deepEqual(loose.final, plain.final);
    assert.deepEqual(loose.layers, plain.layers);
    assert.deepEqual(loose.clipping.clippedSteps, 0);
    assert.equal(loose.clipping.steps, 6);
    const tight = run(['--clip-norm', '0.01']);
    assert.equal(tight.clipping.clippedSteps, 6);
    assert.notDeepEqual(tight.final, plain.final);
    // The first step's gradient is the same in both runs, so is the pre-clip norm of the first interval's first step.
    assert.ok(tight.clipping.maxPreClipNorm > 0.01);
    // metrics.jsonl: null at step 0, then the share and norms of the 3 steps since the previous point.
    const metrics = readFileSync(join(out, 'runs', tight.runId, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(metrics.map((p) => p.clip.clippedShare), [null, 1, 1]);
    assert.ok(metrics[1].clip.maxPreClipNorm >= metrics[1].clip.meanPreClipNorm);
    // The mean over the run is the step-weighted mean of the points'.
    const mean = (metrics[1].clip.meanPreClipNorm + metrics[2].clip.meanPreClipNorm) / 2;
    assert.ok(Math.abs(tight.clipping.meanPreClipNorm - mean) < 1e-12);
    // The run table says it; the CSV has the columns (empty at step 0) for this run only when asked with a clipping run.
    const shown = runCli(['show', tight.runId, '--out', out]);
    assert.match(shown.stdout, /clip norm 0\.01/);
    assert.match(shown.stdout, /Clipping: 6 of 6 steps clipped \(100%\)/);
    const csv = runCli(['export', 'csv', tight.runId, '--out', out]).stdout.trim().split('\n');
    assert.match(csv[0], /,clippedShare,meanPreClipNorm,maxPreClipNorm$/);
    assert.match(csv[1], /,,,$/, 'step 0: empty');
    assert.match(csv[csv.length - 1], /,1,[0-9.e+-]+,[0-9.e+-]+$/);
    const plainCsv = runCli(['export', 'csv', plain.runId, '--out', out]).stdout;
    assert.doesNotMatch(plainCsv, /clippedShare/);
  });

  test('--clip-value clips by entry and is recorded the same way', () => {
    const out = tempDir();
    const r = runCli(['run', ...SMALL, '--clip-value', '1e-6', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).clipping.clippedSteps, 6);
  });

  test('bad values are refused in one line, exit 2', () => {
    assertRefusedInOneLine(runCli(['run', ...SMALL, '--clip-norm', '0']), /--clip-norm/, '--clip-norm 0');
    assertRefusedInOneLine(runCli(['run', ...SMALL, '--clip-value', '-1']), /--clip-value/, '--clip-value -1');
    assertRefusedInOneLine(runCli(['run', ...SMALL, '--bn-eps', '1e-3']), /--bn-eps only applies with --batch-norm/, '--bn-eps alone');
  });
});
