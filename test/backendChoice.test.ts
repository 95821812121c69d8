/**
 * How a run's backend is chosen and set up, through the real CLI: VGRAD_BACKEND behind
 * --backend auto, --threads on each backend, and TensorFlow's native log lines kept off stderr.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { BIN, runCli, tempDir } from './helpers.js';

const TINY = ['--data', 'gaussian', '--train-size', '32', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--depth', '1', '--width', '8', '--steps', '1'];

function run(t: TestContext, args: string[], env: Record<string, string | undefined> = {}) {
  const out = tempDir(t);
  const result = runCli(['run', ...TINY, '--json', '--out', out, ...args], env);
  return { ...result, out, record: result.status === 0 ? JSON.parse(result.stdout) : undefined };
}

function runFolders(out: string): string[] {
  return existsSync(`${out}/runs`) ? readdirSync(`${out}/runs`) : [];
}

/** Whether the native backend loads here; else the reason, for a printed skip. */
function nativeMissing(t: TestContext): string | undefined {
  const probe = run(t, ['--backend', 'tensorflow']);
  if (probe.status === 0) return undefined;
  if (process.env.VGRAD_BACKEND === 'tensorflow') assert.fail(`VGRAD_BACKEND=tensorflow but the native backend does not load: ${probe.stderr}`);
  return `the native backend is not installed here (vgrad native install builds it): ${probe.stderr.trim()}`;
}

describe('VGRAD_BACKEND: what --backend auto means', () => {
  test('VGRAD_BACKEND=cpu makes the default backend cpu; an explicit --backend wins', (t) => {
    assert.equal(run(t, [], { VGRAD_BACKEND: 'cpu' }).record.backend.name, 'cpu');
    assert.equal(run(t, ['--backend', 'AUTO'], { VGRAD_BACKEND: 'CPU' }).record.backend.name, 'cpu');
    assert.equal(run(t, ['--backend', 'wasm'], { VGRAD_BACKEND: 'cpu' }).record.backend.name, 'wasm');
    assert.equal(run(t, ['--backend', 'cpu'], { VGRAD_BACKEND: 'wasm' }).record.backend.name, 'cpu');
  });

  test('a VGRAD_BACKEND that names no backend: one line, exit 2, no run folder', (t) => {
    const result = run(t, [], { VGRAD_BACKEND: 'gpu' });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, "vgrad: VGRAD_BACKEND 'gpu' is not a backend; allowed: auto, tensorflow, wasm, cpu (or unset)\n");
    assert.deepEqual(runFolders(result.out), []);
  });
});

describe('--threads', () => {
  test('must be an integer ≥ 1', (t) => {
    for (const bad of ['0', '1.5', '-2', 'two']) {
      const result = run(t, ['--threads', bad]);
      assert.equal(result.status, 2, bad);
      assert.match(result.stderr, new RegExp(`^vgrad: --threads must be an integer ≥ 1 \\(got '${bad}'\\)`));
    }
  });

  test('wasm and cpu run one thread: --threads 1 is recorded, more is refused in one line', (t) => {
    for (const backend of ['wasm', 'cpu']) {
      const one = run(t, ['--backend', backend, '--threads', '1']);
      assert.equal(one.status, 0, one.stderr);
      assert.equal(one.record.backend.threads, 1);
      assert.equal(one.record.config.threads, 1);
      const two = run(t, ['--backend', backend, '--threads', '2']);
      assert.equal(two.status, 2);
      assert.equal(two.stderr, `vgrad: --threads 2: only the native backend runs more than 1 thread; the ${backend} backend (--backend ${backend}) runs one thread in Node; use the native one, --backend tensorflow (see 'vgrad native install')\n`);
      assert.deepEqual(runFolders(two.out), []);
    }
    // Without --threads the record says nothing about threads (the backend's default ran).
    const plain = run(t, ['--backend', 'cpu']);
    assert.equal(plain.record.backend.threads, undefined);
    assert.equal(plain.record.config.threads, null);
  });

  test('--backend auto resolving to wasm says why --threads 2 cannot be honoured', (t) => {
    const result = run(t, ['--threads', '2'], { VGRAD_BACKEND: undefined });
    if (result.status === 0) {
      assert.equal(result.record.backend.name, 'tensorflow', 'only the native backend may accept --threads 2');
      return;
    }
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^vgrad: --threads 2: only the native backend runs more than 1 thread; --backend auto chose wasm because the native backend \(@tensorflow\/tfjs-node\) is not installed; see 'vgrad native install'\n$/);
  });

  test('on the native backend, --threads N sizes TensorFlow\'s thread pools (counted in /proc)', async (t) => {
    const missing = nativeMissing(t);
    if (missing) return t.skip(missing);
    if (!existsSync('/proc/self/task')) return t.skip('no /proc/PID/task to count threads on this OS');
    /** OS threads of a native run once it has started training (TensorFlow's pools exist by then). */
    const threadsOf = (threads: number) =>
      new Promise<number>((resolve, reject) => {
        const out = tempDir(t);
        const child = spawn(process.execPath, [BIN, 'run', '--data', 'gaussian', '--depth', '2', '--steps', '100000', '--log-every', '100000', '--backend', 'tensorflow', '--threads', String(threads), '--out', out], {
          env: { ...process.env, NO_COLOR: '1' },
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          // The first probe line comes after TensorFlow has run ops: its pools exist.
          if (/step 0\//.test(stderr) && child.pid !== undefined && child.exitCode === null) {
            const count = readdirSync(`/proc/${child.pid}/task`).length;
            child.kill('SIGKILL');
            resolve(count);
          }
        });
        child.on('exit', () => reject(new Error(`the run ended before its first probe: ${stderr}`)));
      });
    const one = await threadsOf(1);
    const three = await threadsOf(3);
    // Measured: the process gains one OS thread per extra intra-op thread (and inter-op ones when
    // that pool starts), so 3 threads have at least 2 more than 1.
    assert.ok(three >= one + 2, `--threads 3: ${three} OS threads, --threads 1: ${one}`);
  });
});

describe("TensorFlow's native log lines", () => {
  test('stay off stderr on the native backend, unless the user set TF_CPP_MIN_LOG_LEVEL', (t) => {
    const missing = nativeMissing(t);
    if (missing) return t.skip(missing);
    const quiet = run(t, ['--backend', 'tensorflow'], { TF_CPP_MIN_LOG_LEVEL: undefined, TF_ENABLE_ONEDNN_OPTS: undefined });
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.deepEqual(
      quiet.stderr.split('\n').filter((line) => line !== '' && !/^(vgrad run |step |stored in )/.test(line)),
      [],
      'only vgrad lines on stderr',
    );
    // The user's own setting is respected: TensorFlow then prints its oneDNN banner (TF 2.x on x86).
    const loud = run(t, ['--backend', 'tensorflow'], { TF_CPP_MIN_LOG_LEVEL: '0', TF_ENABLE_ONEDNN_OPTS: undefined });
    assert.equal(loud.status, 0, loud.stderr);
    assert.match(loud.stderr, /oneDNN|tensorflow|I0000/, 'TensorFlow logs when the user asked for its logs');
  });

  test('a usage error on the native backend is still exactly one line', (t) => {
    const missing = nativeMissing(t);
    if (missing) return t.skip(missing);
    const result = run(t, ['--backend', 'tensorflow', '--batch', '999'], { TF_CPP_MIN_LOG_LEVEL: undefined, TF_ENABLE_ONEDNN_OPTS: undefined });
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^vgrad: --batch 999 is larger than the 32 training samples/);
  });
});
