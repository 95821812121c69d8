/**
 * SIGINT, SIGTERM and SIGHUP while a run computes, through the real CLI: each stops the run at its
 * next checkpoint (between steps, layers, probe rows or evaluation chunks) with exit 128 + n, keeps
 * or discards what was measured, and leaves no partial folder. Run on every backend (scripts/
 * run-tests.mjs ON_EVERY_BACKEND): the native one computes in TensorFlow's own threads.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { onRepeatPass, runCli, startCli, tempDir } from './helpers.js';

const QUICK = ['--train-size', '500', '--test-size', '200', '--probe-size', '100'];

function runFolders(out: string): string[] {
  const runs = join(out, 'runs');
  return existsSync(runs) ? readdirSync(runs).sort() : [];
}

describe('SIGINT, SIGTERM and SIGHUP stop a run cleanly', () => {
  // Training that would take minutes; probe points every 3 steps.
  const LONG = ['run', ...QUICK, '--steps', '100000', '--log-every', '3'];

  // Which signal arrived decides only the exit code and the message, the same code on every backend:
  // the second backend's pass sends one of the three (SIGTERM) while it trains.
  const SIGNAL_ONLY = onRepeatPass('the signal only changes the exit code, and SIGTERM runs on this backend too');
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    test(`${signal} after a probe point beyond step 0 keeps the run as "interrupted" and exits ${code}`, { skip: signal === 'SIGTERM' ? false : SIGNAL_ONLY }, async () => {
      const out = tempDir();
      const live = startCli([...LONG, '--out', out]);
      await live.waitFor(/^step 3\/100000/m);
      live.child.kill(signal);
      const { code: exitCode } = await live.exit;
      assert.equal(exitCode, code, live.stderr());
      const [runId, ...rest] = runFolders(out);
      assert.deepEqual(rest, [], 'one run folder and no partial folder');
      const message = live.stderr().trimEnd().split('\n').at(-1)!;
      assert.match(message, new RegExp(`^vgrad: interrupted at step \\d+ \\(${signal}\\); kept up to the last probe point as status "interrupted" in .*${runId}$`));
      const record = JSON.parse(readFileSync(join(out, 'runs', runId, 'summary.json'), 'utf8'));
      assert.equal(record.status, 'interrupted');
      assert.ok(record.final.step >= 3 && record.final.step % 3 === 0, `final is a probe point: ${record.final.step}`);
      const metrics = readFileSync(join(out, 'runs', runId, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(metrics.at(-1).step, record.final.step);
      assert.deepEqual(record.layers[0].final, metrics.at(-1).layers[0]);
      assert.equal(record.final.testAcc, metrics.at(-1).probeAcc, 'testAcc of an interrupted run is the last probe accuracy');
      assert.ok(!existsSync(join(out, 'runs', runId, '.lock')), 'the lock is not published');
      const shown = runCli(['show', runId, '--out', out]);
      assert.equal(shown.status, 0, shown.stderr);
      assert.match(shown.stdout, /status interrupted/);
      rmSync(out, { recursive: true, force: true });
    });
  }

  // What is stored (nothing) is bookkeeping after the computation stopped, not the backend's.
  const STORAGE_ONLY = onRepeatPass('what an interrupted run stores does not depend on the backend');
  test('--discard-interrupted: SIGTERM stores nothing, removes the partial folder, exits 143', { skip: STORAGE_ONLY }, async () => {
    const out = tempDir();
    const live = startCli([...LONG, '--discard-interrupted', '--out', out]);
    await live.waitFor(/^step 3\/100000/m);
    live.child.kill('SIGTERM');
    const { code } = await live.exit;
    assert.equal(code, 143, live.stderr());
    assert.match(live.stderr(), /vgrad: interrupted at step \d+ \(SIGTERM\); nothing stored\n$/);
    assert.deepEqual(runFolders(out), []);
    rmSync(out, { recursive: true, force: true });
  });

  test('SIGHUP before any probe point beyond step 0 stores nothing, exits 129', { skip: STORAGE_ONLY }, async () => {
    const out = tempDir();
    const live = startCli(['run', ...QUICK, '--steps', '100000', '--log-every', '50000', '--out', out]);
    await live.waitFor(/^step 0\/100000/m);
    live.child.kill('SIGHUP');
    const { code } = await live.exit;
    assert.equal(code, 129, live.stderr());
    assert.match(live.stderr(), /; nothing stored\n$/);
    assert.deepEqual(runFolders(out), []);
    rmSync(out, { recursive: true, force: true });
  });

  test('a big net is interruptible while it is built and probed at step 0 (--steps 0)', async () => {
    // 20 layers of 1000×1000: seconds of weight sampling and a 512-sample probe; it used to run on to the end.
    const out = tempDir();
    const live = startCli(['run', '--data', 'gaussian', '--steps', '0', '--depth', '20', '--width', '1000', '--out', out]);
    await live.waitFor(/^vgrad run .* 0 steps$/m);
    live.child.kill('SIGINT');
    const { code } = await live.exit;
    assert.equal(code, 130, live.stderr());
    assert.match(live.stderr(), /vgrad: interrupted (while building the model \(layer \d+ of 21\)|during the probe at step 0) \(SIGINT\); nothing stored\n$/);
    assert.deepEqual(runFolders(out), []);
    rmSync(out, { recursive: true, force: true });
  });

  test('the final evaluation is interruptible; the run is kept with final = the last probe point', async () => {
    // The final evaluation runs 8,000 + 2,000 samples through 6 layers of 1000×1000.
    const out = tempDir();
    const live = startCli(['run', '--data', 'gaussian', '--steps', '2', '--log-every', '1', '--probe-size', '32', '--depth', '7', '--width', '1000', '--out', out]);
    await live.waitFor(/^step 2\/2 /m);
    live.child.kill('SIGTERM');
    const { code } = await live.exit;
    assert.equal(code, 143, live.stderr());
    assert.match(live.stderr(), /vgrad: interrupted during the final evaluation \(SIGTERM\); kept up to the last probe point/);
    const [runId] = runFolders(out);
    const record = JSON.parse(readFileSync(join(out, 'runs', runId, 'summary.json'), 'utf8'));
    assert.equal(record.status, 'interrupted');
    assert.equal(record.final.step, 2);
    rmSync(out, { recursive: true, force: true });
  });
});
