/**
 * Commands that do not watch for signals themselves (report, export, bench, …) still end cleanly
 * on one: exit 128 + n, and what they created is removed. `vgrad report --out` makes its folder,
 * then renders for seconds; a Ctrl-C then must not leave that folder (empty) behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, runCli, tempDir } from './helpers.js';

function reportInterrupted(runs: string, out: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; sawFolder: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'report', runs, '--out', out], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sawFolder = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The signal goes as soon as the output folder exists: rendering the charts takes seconds after that.
    const poll = setInterval(() => {
      if (existsSync(out)) {
        sawFolder = true;
        clearInterval(poll);
        child.kill(signal);
      }
    }, 10);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr, sawFolder });
    });
  });
}

test('SIGINT and SIGTERM during vgrad report --out exit 130/143 and leave no output folder', async (t) => {
  const dir = tempDir(t);
  const runs = join(dir, 'runs');
  const made = runCli(['run', '--depth', '2', '--width', '20', '--steps', '4', '--quiet', '--out', runs]);
  assert.equal(made.status, 0, made.stderr);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const out = join(dir, `report-${signal}`);
    const result = await reportInterrupted(runs, out, signal);
    assert.ok(result.sawFolder, 'the report never created its folder');
    assert.equal(result.code, code, result.stderr);
    assert.equal(existsSync(out), false, `${out} was left behind`);
    assert.doesNotMatch(result.stderr, /internal error|at .*\.js:\d+/);
  }
  // Uninterrupted, the same command writes the report (so the folder check above is about the signal).
  const whole = runCli(['report', runs, '--out', join(dir, 'whole'), '--format', 'svg']);
  assert.equal(whole.status, 0, whole.stderr);
  assert.ok(existsSync(join(dir, 'whole', 'depth-profile.svg')));
});
