/**
 * How a run's backend is chosen, through the real CLI: VGRAD_BACKEND behind --backend auto, and
 * --threads on wasm and cpu. What only the native backend does (its thread pools, its log lines) is
 * test/nativeBackend.test.ts, which the second backend pass of .ci/run runs too.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { runCli, runCliBatch, tempDir, withoutNativeEnv } from './helpers.js';

const TINY = ['--data', 'gaussian', '--train-size', '32', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--depth', '1', '--width', '8', '--steps', '1'];

function run(t: TestContext, args: string[], env: Record<string, string | undefined> = {}) {
  const out = tempDir(t);
  const result = runCli(['run', ...TINY, '--json', '--out', out, ...args], env);
  return { ...result, out, record: result.status === 0 ? JSON.parse(result.stdout) : undefined };
}

function runFolders(out: string): string[] {
  return existsSync(`${out}/runs`) ? readdirSync(`${out}/runs`) : [];
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
    const bads = ['0', '1.5', '-2', 'two'];
    const out = tempDir(t);
    const results = runCliBatch(bads.map((bad) => ['run', ...TINY, '--json', '--out', out, '--threads', bad]));
    assert.deepEqual(runFolders(out), []);
    for (const [i, bad] of bads.entries()) {
      const result = results[i];
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

  test('--backend auto resolving to wasm (no native backend) says why --threads 2 cannot be honoured', (t) => {
    const result = run(t, ['--threads', '2'], { VGRAD_BACKEND: undefined, ...withoutNativeEnv() });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^vgrad: --threads 2: only the native backend runs more than 1 thread; --backend auto chose wasm because the native backend \(@tensorflow\/tfjs-node\) is not installed; see 'vgrad native install'\n$/);
  });
});

describe('the line that says a run fell back from the native backend (issue 27)', () => {
  const NOTICE = /running on WebAssembly \(wasm\): the native backend \(@tensorflow\/tfjs-node\) is not installed; 'vgrad native install'/;
  const count = (text: string) => text.split('\n').filter((line) => NOTICE.test(line)).length;

  test('without tfjs-node: exactly one stderr line, none on stdout; --quiet, VGRAD_BACKEND and --backend silence it', (t) => {
    const auto = run(t, [], { ...withoutNativeEnv(), VGRAD_BACKEND: undefined });
    assert.equal(auto.status, 0, auto.stderr);
    assert.equal(auto.record.backend.name, 'wasm');
    assert.equal(count(auto.stderr), 1, auto.stderr);
    assert.equal(count(auto.stdout), 0);
    assert.match(auto.stderr, /--quiet or VGRAD_BACKEND=wasm hides this line/);
    for (const [args, env] of [
      [['--quiet'], { VGRAD_BACKEND: undefined }],
      [[], { VGRAD_BACKEND: 'wasm' }],
      [['--backend', 'wasm'], { VGRAD_BACKEND: undefined }],
    ] as [string[], Record<string, string | undefined>][]) {
      const quiet = run(t, args, { ...withoutNativeEnv(), ...env });
      assert.equal(quiet.status, 0, quiet.stderr);
      assert.equal(count(quiet.stderr), 0, `${args.join(' ')} ${JSON.stringify(env)}: ${quiet.stderr}`);
    }
  });

  test('a sweep says it once, in its own process, for all its workers', (t) => {
    const out = tempDir(t);
    const result = runCli(['sweep', ...TINY, '--seed', '1,2', '--jobs', '2', '--out', out, '--name', 'n'], { ...withoutNativeEnv(), VGRAD_BACKEND: undefined });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(count(result.stderr), 1, result.stderr);
    assert.equal(count(result.stdout), 0);
  });

  test('with the native backend running: no line', (t) => {
    const native = run(t, [], { VGRAD_BACKEND: undefined });
    assert.equal(native.status, 0, native.stderr);
    if (native.record.backend.name !== 'tensorflow') {
      t.skip('@tensorflow/tfjs-node is not installed here (npm run native builds it)');
      return;
    }
    assert.doesNotMatch(native.stderr, /running on|native backend/);
  });
});
