import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { baseRunId, RunStore, writeFileAtomic } from '../src/store/runStore.js';
import { BIN, tempDir } from './helpers.js';

describe('run store', () => {
  test('a run folder appears only when complete; abandon removes the partial one', () => {
    const root = tempDir();
    const store = RunStore.create(root, 'r1');
    store.writeJson('config.json', { a: 1 });
    assert.deepEqual(readdirSync(join(root, 'runs')), ['.partial-r1']);
    store.commit();
    assert.deepEqual(readdirSync(join(root, 'runs')), ['r1']);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'runs', 'r1', 'config.json'), 'utf8')), { a: 1 });
    const clash = RunStore.create(root, 'r1');
    assert.equal(clash.runId, 'r1-2', 'an existing id is never overwritten');
    clash.abandon();
    assert.deepEqual(readdirSync(join(root, 'runs')), ['r1']);
  });

  test('non-finite numbers are stored as which one they were: "NaN", "+Inf", "-Inf"', () => {
    const root = tempDir();
    const store = RunStore.create(root, 'x');
    store.appendJsonLine('m.jsonl', { a: NaN, b: Infinity, c: 1, d: -Infinity, e: null });
    store.commit();
    assert.equal(readFileSync(join(root, 'runs', 'x', 'm.jsonl'), 'utf8'), '{"a":"NaN","b":"+Inf","c":1,"d":"-Inf","e":null}\n');
  });

  test('atomic write leaves no temp file and replaces whole', () => {
    const dir = tempDir();
    const path = join(dir, 'f.json');
    writeFileSync(path, 'old');
    writeFileAtomic(path, 'new');
    assert.equal(readFileSync(path, 'utf8'), 'new');
    assert.deepEqual(readdirSync(dir), ['f.json']);
  });

  test('stale partial folders of dead runs are cleared; recent ones (maybe live) are kept', () => {
    const root = tempDir();
    const runs = join(root, 'runs');
    mkdirSync(join(runs, '.partial-old'), { recursive: true });
    mkdirSync(join(runs, '.partial-recent'), { recursive: true });
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    utimesSync(join(runs, '.partial-old'), twoDaysAgo, twoDaysAgo);
    RunStore.create(root, 'new').abandon();
    assert.deepEqual(readdirSync(runs).sort(), ['.partial-recent']);
  });

  test('run ids are readable and filesystem-safe', () => {
    const id = baseRunId(new Date('2026-11-29T16:11:44Z'), 'relu', 'vs:scale=2,mode=fan_avg,dist=uniform', 20, 42);
    assert.equal(id, '20261129-161144-relu-vs_scale=2_mode=fan_avg_dist=uniform-d20-s42');
  });

  test('a run killed mid-training leaves no run folder', async () => {
    const out = tempDir();
    const child = spawn(process.execPath, [BIN, 'run', '--steps', '100000', '--train-size', '500', '--test-size', '100', '--out', out], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Wait until training has started (the first probe line), then kill hard.
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stderr.on('data', (chunk) => {
        seen += chunk;
        if (seen.includes('step 0/')) resolve();
      });
      child.on('exit', () => reject(new Error(`exited early: ${seen}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const names = readdirSync(join(out, 'runs'));
    assert.ok(names.every((name) => name.startsWith('.partial-')), `only a partial folder: ${names}`);
    assert.ok(!existsSync(join(out, 'runs', names[0], 'summary.json')));
  });
});

describe('interrupting a run', () => {
  test('Ctrl-C (SIGINT) stops between steps, removes the partial folder and exits 130', async () => {
    const out = tempDir();
    // No probe point beyond step 0 before the signal (--log-every 50000), so nothing is kept.
    const child = spawn(process.execPath, [BIN, 'run', '--steps', '100000', '--log-every', '50000', '--train-size', '500', '--test-size', '100', '--out', out], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes('step 0/')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 130);
    assert.match(stderr, /vgrad: interrupted at step \d+ \(SIGINT\); nothing stored\n$/);
    assert.deepEqual(readdirSync(join(out, 'runs')), []);
  });
});
