/**
 * `vgrad native install`'s refusals, none of which needs the 274 MB wheel: a missing or corrupt
 * --wheel, a wheel without TensorFlow's libraries, pip missing or failing. Each must be one line,
 * and leave node_modules/@tensorflow as it was (no staging copy, no unbuilt tfjs-node).
 * That a real wheel builds a working backend is proven by .ci/run's second pass, which runs the
 * whole suite on the backend this command built.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { ROOT, runCli, tempDir } from './helpers.js';

const SCOPE = join(ROOT, 'node_modules', '@tensorflow');

/** What the command may touch: the @tensorflow folder's entries (tfjs-node present or not, no staging copies). */
function scopeEntries(): string[] {
  return readdirSync(SCOPE).sort();
}

/** One line on stderr, no stack trace. */
function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n').filter((line) => !line.startsWith('native: '));
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

/** A machine without the build tools refuses before looking at the wheel: that is its own (tested) one line. */
function skipWithoutToolchain(t: TestContext, stderr: string): boolean {
  const missing = /^vgrad: (python3 not found|no C\+\+ compiler|make not found|Node's headers are missing|npm \(with its bundled node-gyp\) not found).*/m.exec(stderr);
  if (missing) t.skip(`this machine cannot build native addons: ${missing[0]}`);
  return missing !== null;
}

/** Runs `vgrad native install --force` with a private wheel cache, and checks node_modules is as before. */
function install(t: TestContext, args: string[], env: Record<string, string> = {}) {
  const cache = tempDir(t);
  const before = scopeEntries();
  const result = runCli(['native', 'install', '--force', ...args], { XDG_CACHE_HOME: cache, ...env });
  assert.deepEqual(scopeEntries(), before, 'node_modules/@tensorflow is unchanged');
  return { ...result, cache };
}

/** A zip file made by Python's zipfile (python3 is part of the build's toolchain anyway). */
function writeZip(path: string, members: Record<string, string>): boolean {
  const script = 'import sys, zipfile, json\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    for name, text in json.loads(sys.argv[2]).items(): z.writestr(name, text)';
  return spawnSync('python3', ['-c', script, path, JSON.stringify(members)]).status === 0;
}

// .ci/run builds the native backend in node_modules while its first pass runs; this file's
// node_modules checks would race that build, so it runs on the second pass instead.
const BUILDING = process.env.VGRAD_TEST_NATIVE_BUILDING === '1'
  ? 'a native build is running in node_modules/@tensorflow (VGRAD_TEST_NATIVE_BUILDING=1); .ci/run runs this file after it'
  : false;

describe('vgrad native install: refusals without the big download', { skip: BUILDING }, () => {
  test('--help explains the command with an example', () => {
    const help = runCli(['native', 'install', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--wheel <file>/);
    assert.match(help.stdout, /\$ vgrad native install\n/);
    assert.match(runCli(['native', '--help']).stdout, /install/);
  });

  test('a --wheel that does not exist: one line, exit 2', (t) => {
    const result = install(t, ['--wheel', '/nonexistent/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl']);
    if (skipWithoutToolchain(t, result.stderr)) return;
    assert.equal(result.status, 2, result.stderr);
    assertOneLine(result.stderr, /^vgrad: --wheel \/nonexistent\/tensorflow_cpu-.*: no such file; give a tensorflow-cpu wheel/);
  });

  test('a corrupt --wheel (not a zip): one line, exit 2, nothing installed', (t) => {
    const wheel = join(tempDir(t), 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    writeFileSync(wheel, 'this is not a zip archive\n'.repeat(100));
    const result = install(t, ['--wheel', wheel]);
    if (skipWithoutToolchain(t, result.stderr)) return;
    assert.equal(result.status, 2, result.stderr);
    assertOneLine(result.stderr, /^vgrad: --wheel .*tensorflow_cpu-2\.21\.0.*\.whl is not a readable wheel \(zip\): /);
    assert.ok(existsSync(wheel), "the user's file is left alone");
  });

  test('a zip without the TensorFlow libraries: one line naming what is missing, exit 2', (t) => {
    const wheel = join(tempDir(t), 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    if (!writeZip(wheel, { 'tensorflow/__init__.py': '' })) return t.skip('python3 cannot write the test zip here');
    const result = install(t, ['--wheel', wheel]);
    if (skipWithoutToolchain(t, result.stderr)) return;
    assert.equal(result.status, 2, result.stderr);
    assertOneLine(result.stderr, /^vgrad: --wheel .* is missing something: no tensorflow\/libtensorflow_cc\.so\.2 inside/);
  });

  test('pip missing: one line saying to install it or give --wheel, exit 1', (t) => {
    const result = install(t, ['--pip', '/nonexistent/bin/pip']);
    if (skipWithoutToolchain(t, result.stderr)) return;
    assert.equal(result.status, 1, result.stderr);
    assertOneLine(result.stderr, /^vgrad: pip not found \('\/nonexistent\/bin\/pip'\); install pip, name it with --pip, or give a downloaded wheel with --wheel PATH$/);
  });

  test('pip failing (no index): its error in one line, exit 1, nothing cached', (t) => {
    const pip = join(tempDir(t), 'pip');
    writeFileSync(pip, '#!/bin/sh\necho "Looking in indexes: https://example.invalid/simple"\necho "ERROR: No matching distribution found for tensorflow-cpu" >&2\nexit 1\n');
    chmodSync(pip, 0o755);
    const result = install(t, ['--pip', pip]);
    if (skipWithoutToolchain(t, result.stderr)) return;
    assert.equal(result.status, 1, result.stderr);
    assertOneLine(result.stderr, /^vgrad: pip could not download tensorflow-cpu: ERROR: No matching distribution found for tensorflow-cpu; give a wheel with --wheel PATH$/);
    assert.deepEqual(readdirSync(join(result.cache, 'vgrad', 'wheels')), [], 'no partial download left in the cache');
  });

  test('pip handing over a damaged wheel: one line, exit 1, and the wheel is not kept in the cache', (t) => {
    const pip = join(tempDir(t), 'pip');
    // `pip download ... --dest DIR tensorflow-cpu`: writes a broken wheel into DIR.
    writeFileSync(pip, '#!/bin/sh\nwhile [ "$1" != "--dest" ]; do shift; done\nmkdir -p "$2"\necho broken > "$2/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl"\n');
    chmodSync(pip, 0o755);
    const result = install(t, ['--pip', pip]);
    if (skipWithoutToolchain(t, result.stderr)) return;
    assert.equal(result.status, 1, result.stderr);
    assertOneLine(result.stderr, /^vgrad: the tensorflow-cpu wheel .* is not a readable wheel \(zip\): .*removed from the cache; run again to download it afresh\)$/);
    assert.deepEqual(readdirSync(join(result.cache, 'vgrad', 'wheels')), []);
  });
});
