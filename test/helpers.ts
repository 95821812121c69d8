import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (tests run from dist/test). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'vgrad.js');

/**
 * A skip reason on the second backend's pass, false otherwise. That pass (scripts/run-tests.mjs
 * --backend-dependent sets VGRAD_TEST_REPEAT_PASS=1) runs the backend-dependent files again after
 * the whole suite passed on the first backend. A test in those files whose subject is not what the
 * backend does (which exit code a signal maps to, what is stored) passes `skip: onRepeatPass(why)`
 * and runs once.
 */
export function onRepeatPass(why: string): string | false {
  return process.env.VGRAD_TEST_REPEAT_PASS === '1' ? `the first backend's pass ran it; ${why}` : false;
}

/** Prefix of every folder tempDir() makes; .ci/run checks that none is left after the suite. */
export const TEMP_PREFIX = 'vgrad-test-';

const created = new Set<string>();

/** Removes every folder tempDir() made in this process that is still there. */
export function removeTempDirs(): void {
  for (const dir of created) {
    rmSync(dir, { recursive: true, force: true });
    created.delete(dir);
  }
}

// node --test runs each test file in its own process: its folders go when that process ends,
// whether the file passed or failed. (A process killed with SIGKILL cannot clean up; nothing can.)
process.on('exit', removeTempDirs);

/** Anything with an `after` hook: node:test's TestContext or SuiteContext. */
interface AfterHook {
  after(fn: () => void): void;
}

/**
 * A fresh folder under os.tmpdir(), removed when the test file ends, or when test `t` ends if given.
 */
export function tempDir(t?: AfterHook, prefix = TEMP_PREFIX): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  t?.after(() => {
    rmSync(dir, { recursive: true, force: true });
    created.delete(dir);
  });
  return dir;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, with colour off unless the test sets it. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): CliResult {
  const childEnv: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env };
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  const result = spawnSync(process.execPath, [BIN, ...args], { env: childEnv as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 240_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs `vgrad ARGS` for each ARGS in ONE child process (main() of the built CLI called once per
 * entry, stdout and stderr captured per call, process.exitCode reset between calls): for tests that
 * check many refusals, where a child per case costs a Node start and the module loads each time.
 * Only for calls that end before any backend loads or any worker starts (parse and usage errors,
 * --dry-run): state a real run leaves in the process would leak into the next call.
 */
export function runCliBatch(argsList: string[][], env: Record<string, string | undefined> = {}): CliResult[] {
  const main = pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'main.js')).href;
  const script = [
    `import { main } from ${JSON.stringify(main)};`,
    'process.setMaxListeners(0); process.stdout.setMaxListeners(0); process.stderr.setMaxListeners(0);',
    'const writeOut = process.stdout.write.bind(process.stdout); const writeErr = process.stderr.write.bind(process.stderr);',
    'const results = [];',
    'for (const args of JSON.parse(process.env.VGRAD_TEST_BATCH)) {',
    "  let stdout = ''; let stderr = '';",
    '  process.stdout.write = (chunk) => { stdout += String(chunk); return true; };',
    '  process.stderr.write = (chunk) => { stderr += String(chunk); return true; };',
    '  process.exitCode = undefined;',
    '  let status;',
    "  try { status = await main(['node', 'vgrad', ...args]); } finally { process.stdout.write = writeOut; process.stderr.write = writeErr; }",
    '  results.push({ status, stdout, stderr });',
    '}',
    'process.exitCode = 0;',
    'writeOut(JSON.stringify(results));',
  ].join('\n');
  const childEnv: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env, VGRAD_TEST_BATCH: JSON.stringify(argsList) };
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: childEnv as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `the batch child failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as CliResult[];
}

export interface Live {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves when stderr contains `text`. */
  waitFor(text: string | RegExp): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `vgrad ARGS` with stderr captured, so a test can act at a phase it reads from stderr. */
export function startCli(args: string[], env: Record<string, string> = {}): Live {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const waiters: { match: string | RegExp; resolve: () => void }[] = [];
  const seen = (m: string | RegExp) => (typeof m === 'string' ? stderr.includes(m) : m.test(stderr));
  child.stdout!.resume();
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    for (const w of waiters.splice(0)) (seen(w.match) ? w.resolve() : waiters.push(w));
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stderr: () => stderr,
    exit,
    waitFor: (match) =>
      new Promise<void>((resolve, reject) => {
        if (seen(match)) return resolve();
        waiters.push({ match, resolve });
        exit.then(() => reject(new Error(`exited before ${match}: ${stderr}`)));
      }),
  };
}

/** Exit 2, exactly one stderr line "vgrad: …" matching `message`, no stack trace, nothing on stdout. */
export function assertRefusedInOneLine(result: CliResult, message: RegExp, what: string): void {
  assert.equal(result.status, 2, `exit code for ${what} (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${result.stderr}`);
  assert.match(lines[0], /^vgrad: /);
  assert.match(lines[0], message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

/** Mean and population std of an array. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

/**
 * Whether a stored JSON value stands for a non-finite number. The store (vgrad.run/2) writes which
 * one it was, "+Inf", "-Inf" or "NaN"; null would lose that, so it does not count. Tests ask this
 * function, so a change of the stored form is one edit here.
 */
export function isStoredNonFinite(value: unknown): boolean {
  return value === '+Inf' || value === '-Inf' || value === 'NaN';
}

/**
 * Environment for runCli in which @tensorflow/tfjs-node looks not installed, whether or not it is
 * (the preload scripts/without-native.cjs): for the messages a machine without it gets.
 */
export function withoutNativeEnv(): Record<string, string> {
  return { NODE_OPTIONS: `--require ${join(ROOT, 'scripts', 'without-native.cjs')}` };
}

let tensorFlowBlocker: Record<string, string> | undefined;

/**
 * Environment for runCli in which loading any @tensorflow package throws "TFJS LOADED: <name>", by
 * import (an ES module resolve hook) or by require (a CommonJS preload wrapping Module._load; the
 * backend packages are required, see src/backend/tf.ts). Commands that never train must not notice it.
 */
export function blockTensorFlowEnv(): Record<string, string> {
  if (tensorFlowBlocker) return tensorFlowBlocker;
  const dir = tempDir();
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, "export async function resolve(s, c, next) { if (s.startsWith('@tensorflow/')) throw new Error('TFJS LOADED: ' + s); return next(s, c); }\n");
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const preload = join(dir, 'block.cjs');
  writeFileSync(
    preload,
    "const Module = require('node:module');\nconst load = Module._load;\n" +
      "Module._load = function (request, ...rest) { if (/^@tensorflow\\/|[\\\\/]node_modules[\\\\/]@tensorflow[\\\\/]/.test(request)) throw new Error('TFJS LOADED: ' + request); return load.call(this, request, ...rest); };\n",
  );
  tensorFlowBlocker = { NODE_OPTIONS: `--import ${pathToFileURL(register).href} --require ${preload}` };
  return tensorFlowBlocker;
}
