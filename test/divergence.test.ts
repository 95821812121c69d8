import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, tempDir } from './helpers.js';

/** `vgrad run` with the table on stdout; returns it with the stored record and metrics, and removes the folder. */
function run(args: string[]) {
  const out = tempDir();
  try {
    const result = runCli(['run', '--quiet', '--out', out, '--train-size', '200', '--test-size', '200', '--probe-size', '200', ...args]);
    assert.equal(result.status, 0, result.stderr);
    const [runId] = readdirSync(join(out, 'runs'));
    const dir = join(out, 'runs', runId);
    const record = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    return { table: result.stdout, record, metrics };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('step 0 is judged like a training step', () => {
  // relu + N(0,1) multiplies Var(z) by fan_in/2 = 50 per 100-wide layer: z leaves float32 range
  // (3.4e38) after about 45 layers, so the forward pass of a 45-layer net is non-finite at step 0.
  test('a non-finite loss or gradient at step 0: diverged at 0, no step taken, even with --steps 3', () => {
    const { table, record, metrics } = run(['--data', 'gaussian', '--act', 'relu', '--init', 'normal1', '--depth', '45', '--seed', '1', '--steps', '3']);
    assert.equal(record.status, 'diverged');
    assert.equal(record.divergedAt, 0);
    assert.equal(record.final.step, 0);
    assert.equal(metrics.length, 1, 'only the step-0 probe');
    assert.match(table, /status diverged at initialization \(step 0: non-finite loss or gradient on the probe batch; no step taken\) · verdict: diverged/);
    assert.doesNotMatch(table, /After training/);
  });

  test('a huge but finite loss at step 0 is not diverged: status ok, verdict exploding, every statistic finite', () => {
    // Depth 30: |z| reaches ~1e26 and Var(z) ~1e52, beyond float32 but computed without overflow.
    const { table, record } = run(['--data', 'gaussian', '--act', 'relu', '--init', 'normal1', '--depth', '30', '--seed', '1', '--steps', '0']);
    assert.equal(record.status, 'ok');
    assert.equal(record.divergedAt, null);
    const preactVars: number[] = record.layers.map((l: { initial: { preactVar: number | null } }) => l.initial.preactVar);
    assert.ok(preactVars.every((v) => v !== null && Number.isFinite(v)), `every preactVar finite: ${preactVars}`);
    assert.ok(preactVars[29] > 1e45, `top hidden layer's Var(z) ${preactVars[29]} is far beyond float32's 3.4e38`);
    // Each 100-wide hidden layer multiplies Var(z) by fan_in · Var(W) · E[relu(z)²]/Var(z) = 100 · 1 · ½ = 50;
    // the band 10–250 allows the finite-width fluctuations of 200 samples × 100 units (a factor of a few).
    for (let l = 2; l < 30; l++) {
      const factor = preactVars[l] / preactVars[l - 1];
      assert.ok(factor > 10 && factor < 250, `layer ${l + 1}: Var(z) ×${factor}`);
    }
    assert.match(table, /status ok · trained 0 steps · verdict: exploding/);
  });
});

describe('the status line says what each step number is', () => {
  test('diverged at step k: the failing step, and the step whose weights are kept', () => {
    const { table, record } = run(['--act', 'relu', '--init', 'normal1', '--depth', '6', '--lr', '1', '--steps', '30']);
    assert.equal(record.status, 'diverged');
    const k = record.divergedAt;
    assert.ok(k >= 1);
    assert.match(table, new RegExp(`status diverged at step ${k} \\(non-finite loss or gradient; update not applied\\) · weights kept: after step ${k - 1} ·`));
  });
});
