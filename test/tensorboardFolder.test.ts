/** `vgrad run --tensorboard DIR` creates DIR before training (to fail early), and removes it again when the run stores nothing. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './helpers.js';

test('a failed run leaves no --tensorboard folder it made, and keeps one that was there', (t) => {
  const dir = tempDir(t);
  const made = join(dir, 'tb', 'nested');
  // A data folder without IDX files fails after the flags are checked, i.e. after the folder was made.
  const failed = runCli(['run', '--tensorboard', made, '--data', `idx:${join(dir, 'no-idx')}`, '--out', join(dir, 'runs'), '--quiet']);
  assert.equal(failed.status, 2, failed.stderr);
  assert.match(failed.stderr, /missing train-images/);
  assert.equal(existsSync(join(dir, 'tb')), false, 'the folder made for the run was left behind');

  const existing = join(dir, 'existing');
  mkdirSync(existing);
  const again = runCli(['run', '--tensorboard', existing, '--data', `idx:${join(dir, 'no-idx')}`, '--out', join(dir, 'runs'), '--quiet']);
  assert.equal(again.status, 2, again.stderr);
  assert.deepEqual(readdirSync(existing), [], 'the user’s own folder must stay (and stay empty)');
});
