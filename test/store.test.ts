import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { fromMarker, nonFiniteMarker } from '../src/store/record.js';
import { baseRunId, LOCK_FILE } from '../src/store/layout.js';
import { processAlive, RunFolderTakenError, RunStore } from '../src/store/runStore.js';
import { writeFileAtomic } from '../src/util/atomicFile.js';
import { BIN, ROOT, runCli, tempDir } from './helpers.js';

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

  test('non-finite numbers are read back from their markers: fromMarker inverts nonFiniteMarker', () => {
    // Found by mutation testing: only the CLI tests (vgrad show) read markers back.
    assert.deepEqual([Infinity, -Infinity, NaN].map(nonFiniteMarker), ['+Inf', '-Inf', 'NaN']);
    for (const value of [Infinity, -Infinity, NaN]) assert.ok(Object.is(fromMarker(nonFiniteMarker(value)), value), String(value));
  });

  test('atomic write leaves no temp file and replaces whole', () => {
    const dir = tempDir();
    const path = join(dir, 'f.json');
    writeFileSync(path, 'old');
    writeFileAtomic(path, 'new');
    assert.equal(readFileSync(path, 'utf8'), 'new');
    assert.deepEqual(readdirSync(dir), ['f.json']);
  });

  test('a partial folder without a lock never belonged to a live run (runs lock before the folder is visible): cleared at once, however recent', () => {
    const root = tempDir();
    const runs = join(root, 'runs');
    mkdirSync(join(runs, '.partial-old'), { recursive: true });
    mkdirSync(join(runs, '.partial-recent'), { recursive: true });
    writeFileSync(join(runs, '.partial-recent', 'metrics.jsonl'), '{}\n');
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    utimesSync(join(runs, '.partial-old'), twoDaysAgo, twoDaysAgo);
    RunStore.create(root, 'new').abandon();
    assert.deepEqual(readdirSync(runs), []);
  });

  test('claim and trash folders: removed when their PID is dead, kept while it lives', () => {
    const root = tempDir();
    const runs = join(root, 'runs');
    const dead = deadPid();
    for (const name of [`.claim-${dead}-.partial-a`, `.trash-${dead}-1-.partial-b`, `.claim-${process.pid}-.partial-c`, `.trash-${process.pid}-9-.partial-d`]) {
      mkdirSync(join(runs, name), { recursive: true });
      writeFileSync(join(runs, name, 'x'), 'x');
    }
    RunStore.create(root, 'new').abandon();
    assert.deepEqual(readdirSync(runs).sort(), [`.claim-${process.pid}-.partial-c`, `.trash-${process.pid}-9-.partial-d`]);
  });

  test('run ids are readable and filesystem-safe', () => {
    const id = baseRunId(new Date('2026-11-29T16:11:44Z'), 'relu', 'vs:scale=2,mode=fan_avg,dist=uniform', 20, 42);
    assert.equal(id, '20261129-161144-relu-vs_scale=2_mode=fan_avg_dist=uniform-d20-s42');
  });

  test('a run killed mid-training leaves no run folder', async () => {
    const out = tempDir();
    // Wait until training has started (the first probe line), then kill hard.
    const child = await startRunUntil(['--steps', '100000', '--train-size', '500', '--test-size', '100', '--probe-size', '100', '--out', out], {}, 'step 0/');
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
    const child = spawn(process.execPath, [BIN, 'run', '--steps', '100000', '--log-every', '50000', '--train-size', '500', '--test-size', '100', '--probe-size', '100', '--out', out], {
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

/** Spawns `vgrad run ARGS` and resolves once its stderr has shown `marker` (rejects if it exits first). */
async function startRunUntil(args: string[], env: Record<string, string>, marker: string) {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes(marker)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited early: ${seen}`)));
  });
  return child;
}

/** A PID that is certainly not alive: a child that has already exited (PIDs are not reused at once). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

function writeLock(partial: string, lock: object): void {
  mkdirSync(partial, { recursive: true });
  writeFileSync(join(partial, LOCK_FILE), JSON.stringify(lock));
}

describe('liveness of partial folders: decided by the lock, never by age alone', () => {
  test('a dead PID on this host is removed at once; a live PID or another host is kept, however old', () => {
    const root = tempDir();
    const runs = join(root, 'runs');
    const threeDaysAgo = new Date(Date.now() - 72 * 3600 * 1000);
    writeLock(join(runs, '.partial-dead'), { pid: deadPid(), host: hostname(), startedAt: new Date().toISOString() });
    writeLock(join(runs, '.partial-live-old'), { pid: process.pid, host: hostname(), startedAt: threeDaysAgo.toISOString() });
    writeLock(join(runs, '.partial-elsewhere'), { pid: deadPid(), host: `not-${hostname()}`, startedAt: threeDaysAgo.toISOString() });
    for (const name of ['.partial-live-old', '.partial-elsewhere']) utimesSync(join(runs, name), threeDaysAgo, threeDaysAgo);
    RunStore.create(root, 'new').abandon();
    assert.deepEqual(readdirSync(runs).sort(), ['.partial-elsewhere', '.partial-live-old']);
    rmSync(root, { recursive: true, force: true });
  });

  test('one process-alive rule: gone only when no such process exists; not a positive integer is no process', () => {
    assert.equal(processAlive(process.pid), true, 'this process');
    assert.equal(processAlive(1), true, 'init: alive, whether signal 0 reaches it or is refused (EPERM)');
    assert.equal(processAlive(deadPid()), false, 'a process that has exited');
    for (const pid of [0, -1, -process.pid, NaN, 1.5, Infinity]) assert.equal(processAlive(pid), false, String(pid));
  });

  test('a live run older than a day (mtime set back) is not removed by a concurrent run', async () => {
    const out = tempDir();
    const child = await startRunUntil(['--steps', '100000', '--log-every', '50000', '--train-size', '500', '--test-size', '100', '--probe-size', '100', '--discard-interrupted', '--out', out], {}, 'step 0/');
    const runs = join(out, 'runs');
    const [partial] = readdirSync(runs);
    assert.match(partial, /^\.partial-/);
    const lock = JSON.parse(readFileSync(join(runs, partial, LOCK_FILE), 'utf8'));
    assert.deepEqual([lock.pid, lock.host], [child.pid, hostname()]);
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
    for (const name of readdirSync(join(runs, partial))) utimesSync(join(runs, partial, name), twoDaysAgo, twoDaysAgo);
    utimesSync(join(runs, partial), twoDaysAgo, twoDaysAgo);
    const other = runCli(['run', '--steps', '0', '--train-size', '500', '--test-size', '100', '--probe-size', '100', '--out', out]);
    assert.equal(other.status, 0, other.stderr);
    assert.ok(existsSync(join(runs, partial)), 'the live run keeps its folder');
    child.kill('SIGTERM');
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 143);
    assert.ok(!existsSync(join(runs, partial)));
    rmSync(out, { recursive: true, force: true });
  });

  test('a run killed with SIGKILL leaves a partial folder that the next run removes (its PID is dead)', () => {
    const root = tempDir();
    const runs = join(root, 'runs');
    writeLock(join(runs, '.partial-killed'), { pid: deadPid(), host: hostname(), startedAt: new Date().toISOString() });
    RunStore.create(root, 'next').commit();
    assert.deepEqual(readdirSync(runs), ['next']);
    rmSync(root, { recursive: true, force: true });
  });

  test('kill -9 while the lock is written (test hook pauses it half-way): no partial folder was ever visible, the next run clears the claim', async () => {
    const out = tempDir();
    const runs = join(out, 'runs');
    const child = await startRunUntil(['--steps', '0', '--train-size', '500', '--test-size', '100', '--probe-size', '100', '--out', out], { VGRAD_TEST_PAUSE_WRITE: LOCK_FILE }, 'vgrad-test: paused writing');
    const claimName = `.claim-${child.pid}-`;
    const during = readdirSync(runs);
    assert.equal(during.length, 1);
    assert.ok(during[0].startsWith(claimName), `only the claim folder exists while its lock is written: ${during}`);
    // A concurrent run leaves a live process's claim alone.
    const other = runCli(['run', '--steps', '0', '--train-size', '500', '--test-size', '100', '--probe-size', '100', '--out', out]);
    assert.equal(other.status, 0, other.stderr);
    assert.ok(readdirSync(runs).some((name) => name.startsWith(claimName)));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const next = runCli(['run', '--steps', '0', '--train-size', '500', '--test-size', '100', '--probe-size', '100', '--out', out]);
    assert.equal(next.status, 0, next.stderr);
    const left = readdirSync(runs);
    assert.equal(left.length, 2, `two published runs, nothing else: ${left}`);
    assert.ok(left.every((name) => !name.startsWith('.')));
    rmSync(out, { recursive: true, force: true });
  });
});

describe('claiming run ids atomically', () => {
  test('a final folder that appears from outside while the run is written: the run moves to the next id, nothing lost', () => {
    const root = tempDir();
    const store = RunStore.create(root, 'same');
    store.writeJson('config.json', { mine: true });
    // Someone else publishes "same" (and "same-2") meanwhile, outside the claim protocol.
    for (const id of ['same', 'same-2']) {
      mkdirSync(join(root, 'runs', id));
      writeFileSync(join(root, 'runs', id, 'summary.json'), `{"theirs":"${id}"}`);
    }
    const named: string[] = [];
    const dir = store.commit((runId) => {
      named.push(runId);
      store.writeJson('summary.json', { runId });
    });
    assert.equal(dir, join(root, 'runs', 'same-3'));
    assert.equal(store.runId, 'same-3');
    assert.deepEqual(named, ['same', 'same-3'], 'summary.json rewritten with the id it was published under');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), { runId: 'same-3' });
    assert.equal(readFileSync(join(root, 'runs', 'same', 'summary.json'), 'utf8'), '{"theirs":"same"}');
    assert.deepEqual(readdirSync(join(root, 'runs')).sort(), ['same', 'same-2', 'same-3']);
    rmSync(root, { recursive: true, force: true });
  });

  test('a run that finishes between another run\'s check and claim cannot be overwritten: 8 processes, one id', async () => {
    const root = tempDir();
    const storeModule = pathToFileURL(join(ROOT, 'dist', 'src', 'store', 'runStore.js')).href;
    // Each process claims the same base id, writes, waits a random moment, publishes.
    const script = `
      const { RunStore } = await import(${JSON.stringify(storeModule)});
      const store = RunStore.create(process.argv[1], 'race');
      store.writeJson('config.json', { pid: process.pid });
      await new Promise((r) => setTimeout(r, Math.random() * 50));
      const dir = store.commit((runId) => store.writeJson('summary.json', { runId, pid: process.pid }));
      process.stdout.write(dir);`;
    const children = Array.from({ length: 8 }, () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, root], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      }),
    );
    const dirs = await Promise.all(children);
    assert.equal(new Set(dirs).size, 8, 'eight distinct run folders');
    const names = readdirSync(join(root, 'runs')).sort();
    assert.equal(names.length, 8, `no partial folders left: ${names}`);
    const pids = new Set<number>();
    for (const name of names) {
      const summary = JSON.parse(readFileSync(join(root, 'runs', name, 'summary.json'), 'utf8'));
      assert.equal(summary.runId, name);
      assert.equal(JSON.parse(readFileSync(join(root, 'runs', name, 'config.json'), 'utf8')).pid, summary.pid, 'each folder is one run, whole');
      pids.add(summary.pid);
    }
    assert.equal(pids.size, 8);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('RunStore.createAt: a run published at an exact folder (sweep cells)', () => {
  test('partial folder beside the target, renamed into place, lock not published', () => {
    const root = tempDir();
    const target = join(root, 'sweeps', 'grid', 'cell-1');
    const store = RunStore.createAt(target);
    assert.deepEqual(readdirSync(join(root, 'sweeps', 'grid')), ['.partial-cell-1']);
    store.writeJson('summary.json', { ok: true });
    assert.equal(store.commit(), target);
    assert.deepEqual(readdirSync(target), ['summary.json']);
    assert.deepEqual(readdirSync(join(root, 'sweeps', 'grid')), ['cell-1']);
    rmSync(root, { recursive: true, force: true });
  });

  test('an existing target or a live writer is refused; a dead writer\'s partial is replaced; abandon cleans up', () => {
    const root = tempDir();
    const done = join(root, 'done');
    mkdirSync(done);
    writeFileSync(join(done, 'summary.json'), '{}');
    assert.throws(() => RunStore.createAt(done), (e: Error) => e instanceof RunFolderTakenError && /exists already/.test(e.message));
    const live = join(root, 'live');
    writeLock(join(root, '.partial-live'), { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() });
    assert.throws(() => RunStore.createAt(live), (e: Error) => e instanceof RunFolderTakenError && /another live run is writing it/.test(e.message));
    const dead = join(root, 'dead');
    writeLock(join(root, '.partial-dead'), { pid: deadPid(), host: hostname(), startedAt: new Date().toISOString() });
    const store = RunStore.createAt(dead);
    store.abandon();
    assert.deepEqual(readdirSync(root).sort(), ['.partial-live', 'done']);
    rmSync(root, { recursive: true, force: true });
  });

  test('a target that appears (non-empty) while the run is written is never replaced', () => {
    const root = tempDir();
    const target = join(root, 'cell');
    const store = RunStore.createAt(target);
    mkdirSync(target);
    writeFileSync(join(target, 'summary.json'), 'theirs');
    assert.throws(() => store.commit(), RunFolderTakenError);
    assert.equal(readFileSync(join(target, 'summary.json'), 'utf8'), 'theirs');
    store.abandon();
    assert.deepEqual(readdirSync(root), ['cell']);
    rmSync(root, { recursive: true, force: true });
  });
});
