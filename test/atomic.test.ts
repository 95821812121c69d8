/**
 * Atomic writes tested as atomic: a process is killed in the middle of a write (a test-only hook in
 * writeFileAtomic, VGRAD_TEST_PAUSE_WRITE=<file name>, writes half and blocks), then the folder must
 * hold the old file or the new one, never a part, and no run folder may be published.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { BIN, ROOT, tempDir } from './helpers.js';

/** Resolves when the child says it paused; rejects if it exits first or takes over 60 s. */
function pausedOrFailed(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`never paused in the write: ${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      const match = /vgrad-test: paused writing (.*)\n/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) without pausing in the write: ${stderr}`));
    });
  });
}

async function killHard(child: ChildProcess) {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('atomic writes', () => {
  test('writeFileAtomic killed half-way leaves the old file whole', async (t) => {
    const dir = tempDir(t);
    const target = join(dir, 'f.json');
    const oldText = JSON.stringify({ version: 'old', pad: 'o'.repeat(5000) });
    const newText = JSON.stringify({ version: 'new', pad: 'n'.repeat(5000) });
    writeFileSync(target, oldText);
    const atomicFile = pathToFileURL(join(ROOT, 'dist', 'src', 'util', 'atomicFile.js')).href;
    const script = `import { writeFileAtomic } from ${JSON.stringify(atomicFile)}; writeFileAtomic(${JSON.stringify(target)}, ${JSON.stringify(newText)});`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, VGRAD_TEST_PAUSE_WRITE: 'f.json' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const partial = await pausedOrFailed(child);
    await killHard(child);
    assert.equal(readFileSync(target, 'utf8'), oldText, 'the target is the old file, whole');
    assert.notEqual(partial, target, 'the half-written bytes went to another file');
    assert.equal(readFileSync(partial, 'utf8'), newText.slice(0, newText.length >> 1), '(the hook did write half)');
    // Control: left alone, the same write replaces the file whole and leaves nothing else.
    const done = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    await new Promise((resolve) => done.on('exit', resolve));
    assert.equal(readFileSync(target, 'utf8'), newText);
    assert.deepEqual(readdirSync(dir).filter((n) => !n.includes('.tmp-')), ['f.json']);
  });

  for (const file of ['summary.json', 'config.json']) {
    test(`vgrad run killed while writing ${file}: no run is published and no ${file} is partial`, async (t) => {
      const out = tempDir(t);
      const child = spawn(process.execPath, [BIN, 'run', '--data', 'gaussian', '--train-size', '32', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--steps', '1', '--depth', '1', '--out', out], {
        env: { ...process.env, NO_COLOR: '1', VGRAD_TEST_PAUSE_WRITE: file },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      await pausedOrFailed(child);
      await killHard(child);
      const runs = join(out, 'runs');
      const names = readdirSync(runs);
      assert.equal(names.length, 1);
      assert.ok(names[0].startsWith('.partial-'), `only the hidden partial folder: ${names}`);
      const inside = readdirSync(join(runs, names[0]));
      assert.ok(!inside.includes(file), `${file} must not exist half-written: ${inside}`);
      for (const name of inside.filter((n) => n.endsWith('.json'))) JSON.parse(readFileSync(join(runs, names[0], name), 'utf8'));
      assert.ok(!existsSync(join(runs, names[0].replace('.partial-', ''))));
    });
  }
});
