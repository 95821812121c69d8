/**
 * The native backend (@tensorflow/tfjs-node) through the real CLI: --threads sizes TensorFlow's
 * thread pools, TensorFlow's own log lines stay off stderr, and a usage error is still one line.
 * Skipped, with the reason printed, where the native backend does not load (vgrad native install
 * builds it); with VGRAD_BACKEND=tensorflow a native backend that does not load is a failure.
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

/** Whether the native backend loads here; else the reason, for a printed skip. */
function nativeMissing(t: TestContext): string | undefined {
  const probe = run(t, ['--backend', 'tensorflow']);
  if (probe.status === 0) return undefined;
  if (process.env.VGRAD_BACKEND === 'tensorflow') assert.fail(`VGRAD_BACKEND=tensorflow but the native backend does not load: ${probe.stderr}`);
  return `the native backend is not installed here (vgrad native install builds it): ${probe.stderr.trim()}`;
}

describe('--threads on the native backend', () => {
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
