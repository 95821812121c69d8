/**
 * Builds @tensorflow/tfjs-node's addon without its install script, which downloads libtensorflow
 * from outside npm (and fails on air-gapped machines). The TensorFlow C library comes from a
 * tensorflow-cpu wheel instead, which pip serves from any Python package index or mirror:
 *
 *   1. the wheel: --wheel PATH, or the cached one, or `pip download --no-deps tensorflow-cpu`;
 *   2. tfjs-node's files: `npm install --no-save --ignore-scripts` (package.json and the lockfile
 *      stay as they are);
 *   3. in a staging copy of the package: the wheel's C-API headers in deps/include, its two
 *      libraries in deps/lib (+ the libtensorflow.so / libtensorflow_framework.so links the
 *      binding links against), then npm's own node-gyp against Node's installed headers;
 *   4. every TF_/TFE_ symbol the binding needs must be defined by the libraries;
 *   5. a child process loads the staged package and runs one op on the 'tensorflow' backend;
 *   6. only then is the staging copy renamed into node_modules/@tensorflow/tfjs-node.
 * Any failure removes the staging copy and leaves no unbuilt tfjs-node behind, so `--backend auto`
 * never meets a half-installed addon.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, UsageError } from '../util/errors.js';
import { WHEEL_SCRIPT } from './wheelTool.js';
import { makeFolders } from '../util/makeFolders.js';

const NATIVE_PACKAGE = '@tensorflow/tfjs-node';
/** N-API version the addon is built for: the highest tfjs-node 4.x lists, and Node ≥ 20 provides. */
const NAPI_VERSION = 8;

export interface NativeInstallOptions {
  /** A tensorflow-cpu wheel to use instead of the cache or pip. */
  wheel?: string;
  /** The pip command that downloads the wheel. */
  pip: string;
  /** Rebuild even if a working addon is installed. */
  force: boolean;
  /** Progress lines (stderr). */
  log(line: string): void;
  /** Aborted by SIGINT/SIGTERM: the running tool is stopped and the staging copy removed. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface NativeInstallResult {
  /** Where the package now is. */
  packageDir: string;
  /** TensorFlow version inside the wheel (from its file name). */
  tensorflowVersion: string;
  /** False when a working addon was already there and nothing was done. */
  built: boolean;
}

/** vgrad's package root: dist/src/backend/ → three levels up. */
export function vgradRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Where downloaded wheels and build logs are kept: $XDG_CACHE_HOME/vgrad or ~/.cache/vgrad. */
export function nativeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'vgrad');
}

/** The absolute path of `command` on PATH (or itself if it has a slash and exists), else undefined. */
function findCommand(command: string, env: NodeJS.ProcessEnv): string | undefined {
  if (command.includes('/')) return existsSync(command) ? resolve(command) : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

interface ToolRun {
  code: number | null;
  stdout: string;
  /** stdout and stderr interleaved, for the log file. */
  output: string;
}

/** Runs a tool to completion, collecting its output; a missing program is an EnvironmentError naming `what`. */
function runTool(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; what: string; signal?: AbortSignal }): Promise<ToolRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new EnvironmentError(`native install interrupted during ${options.what}`));
      else if (error.code === 'ENOENT') reject(new EnvironmentError(`${options.what}: '${command}' not found`));
      else reject(new EnvironmentError(`${options.what}: ${error.message}`));
    });
    child.on('close', (code) => resolvePromise({ code, stdout, output }));
  });
}

/** The most telling line of a tool's output: its first error line, else its last line. */
function tellingLine(output: string): string {
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const error = lines.find((line) => /\berror\b|ERROR|not found|No matching/i.test(line));
  return (error ?? lines[lines.length - 1] ?? 'no output').slice(0, 300);
}

/** The tools the build needs, each found or an EnvironmentError saying what to install. */
interface Toolchain {
  python: string;
  npmCli: string;
  nodeGyp: string;
  nodeDir: string;
}

function findToolchain(env: NodeJS.ProcessEnv): Toolchain {
  const python = findCommand('python3', env);
  if (!python) throw new EnvironmentError("python3 not found on PATH; node-gyp (and reading the wheel) need it: install python3 (e.g. 'apt-get install python3')");
  const compiler = env.CXX !== undefined && env.CXX !== '' ? findCommand(env.CXX.split(' ')[0], env) : (findCommand('g++', env) ?? findCommand('c++', env));
  if (!compiler) throw new EnvironmentError("no C++ compiler (g++ or c++, or $CXX) on PATH; install one (e.g. 'apt-get install g++ make')");
  if (!findCommand('make', env)) throw new EnvironmentError("make not found on PATH; install it (e.g. 'apt-get install make')");
  // Node's own headers, as its installer puts them: <prefix>/include/node next to <prefix>/bin/node.
  const nodeDir = resolve(dirname(process.execPath), '..');
  if (!existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) {
    throw new EnvironmentError(`Node's headers are missing (no ${join(nodeDir, 'include', 'node', 'node_api.h')}); install Node with its headers (the official tarball or nodesource/Debian nodejs packages include them)`);
  }
  // npm's bundled node-gyp: next to the running Node, or wherever the npm on PATH lives.
  const npmDirs = [join(nodeDir, 'lib', 'node_modules', 'npm')];
  const npmOnPath = findCommand('npm', env);
  if (npmOnPath) npmDirs.push(resolve(dirname(realpathSync(npmOnPath)), '..'));
  const npmDir = npmDirs.find((dir) => existsSync(join(dir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')) && existsSync(join(dir, 'bin', 'npm-cli.js')));
  if (!npmDir) throw new EnvironmentError("npm (with its bundled node-gyp) not found next to Node or on PATH; install npm");
  return { python, npmCli: join(npmDir, 'bin', 'npm-cli.js'), nodeGyp: join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), nodeDir };
}

/** The tfjs-node version vgrad declares (optionalDependencies), so the addon matches tfjs-core. */
function declaredNativeVersion(root: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
  const version = manifest.optionalDependencies?.[NATIVE_PACKAGE];
  if (!version) throw new EnvironmentError(`vgrad's package.json does not list ${NATIVE_PACKAGE}`);
  return version;
}

const WHEEL_NAME = /^tensorflow_cpu-([^-]+)-.*\.whl$/;

/** The TensorFlow version in a wheel's file name (tensorflow_cpu-2.21.0-cp311-…whl), or undefined. */
export function wheelVersion(path: string): string | undefined {
  return WHEEL_NAME.exec(path.split('/').pop() ?? '')?.[1];
}

/** The wheel to use: the given path, the newest cached one, or a fresh `pip download` into the cache. */
async function obtainWheel(options: NativeInstallOptions, cacheDir: string, env: NodeJS.ProcessEnv): Promise<{ path: string }> {
  if (options.wheel !== undefined) {
    const path = resolve(options.wheel);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--wheel ${options.wheel}: no such file; give a tensorflow-cpu wheel (pip download --no-deps tensorflow-cpu)`);
    return { path };
  }
  const wheelDir = join(cacheDir, 'wheels');
  const cached = existsSync(wheelDir) ? readdirSync(wheelDir).filter((name) => WHEEL_NAME.test(name)).sort() : [];
  if (cached.length > 0) {
    const path = join(wheelDir, cached[cached.length - 1]);
    options.log(`native: using the cached wheel ${path}`);
    return { path };
  }
  const pip = findCommand(options.pip, env);
  if (!pip) throw new EnvironmentError(`pip not found ('${options.pip}'); install pip, name it with --pip, or give a downloaded wheel with --wheel PATH`);
  // Downloaded into a private folder, then renamed into the cache: a broken download is never cached.
  makeFolders(wheelDir);
  const download = join(wheelDir, `.download-${process.pid}`);
  rmSync(download, { recursive: true, force: true });
  try {
    options.log(`native: downloading the tensorflow-cpu wheel with ${options.pip} (about 270 MB, once; cached in ${wheelDir})`);
    const run = await runTool(pip, ['download', '--no-deps', '--only-binary=:all:', '--dest', download, 'tensorflow-cpu'], {
      cwd: cacheDir,
      env,
      what: 'pip download',
      signal: options.signal,
    });
    const got = existsSync(download) ? readdirSync(download).filter((name) => WHEEL_NAME.test(name)) : [];
    if (run.code !== 0 || got.length !== 1) {
      throw new EnvironmentError(`pip could not download tensorflow-cpu: ${tellingLine(run.output)}; give a wheel with --wheel PATH`);
    }
    const path = join(wheelDir, got[0]);
    renameSync(join(download, got[0]), path);
    return { path };
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

/** The #include targets of the binding's sources: where the header closure starts. */
function bindingIncludes(packageDir: string): string[] {
  const sources = join(packageDir, 'binding');
  const found = new Set<string>();
  for (const name of readdirSync(sources)) {
    for (const match of readFileSync(join(sources, name), 'utf8').matchAll(/^\s*#\s*include\s*"(tensorflow\/[^"]+)"/gm)) found.add(match[1]);
  }
  return [...found].sort();
}

/** Undefined TF_/TFE_ symbols of the addon that neither library defines (nm -D). */
async function missingSymbols(addon: string, libs: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string[] | undefined> {
  const nm = findCommand('nm', env);
  if (!nm) return undefined;
  const symbols = (run: ToolRun) => run.stdout.split('\n').map((line) => (line.trim().split(/\s+/).pop() ?? '').split('@')[0]).filter((name) => /^TFE?_/.test(name));
  const needed = symbols(await runTool(nm, ['-D', '--undefined-only', addon], { cwd, env, what: 'nm' }));
  const defined = new Set<string>();
  for (const lib of libs) for (const name of symbols(await runTool(nm, ['-D', '--defined-only', lib], { cwd, env, what: 'nm' }))) defined.add(name);
  return needed.filter((name) => !defined.has(name));
}

/** The child-process smoke test: load the package, run one op, print the backend and the result. */
const SMOKE_TEST = `
const native = require(process.argv[1]);
const tf = require('@tensorflow/tfjs-core');
const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync();
process.stdout.write(JSON.stringify({ backend: tf.getBackend(), sum, version: native.version && native.version['tfjs-node'] }));
`;

/** Whether the package at `packageDir` loads and computes on the 'tensorflow' backend (a child process). */
export async function smokeTest(packageDir: string, root: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; detail: string }> {
  const quiet = { ...env, TF_CPP_MIN_LOG_LEVEL: env.TF_CPP_MIN_LOG_LEVEL ?? '2', TF_ENABLE_ONEDNN_OPTS: env.TF_ENABLE_ONEDNN_OPTS ?? '0' };
  const run = await runTool(process.execPath, ['-e', SMOKE_TEST, packageDir], { cwd: root, env: quiet, what: 'the smoke test' });
  try {
    const result = JSON.parse(run.stdout) as { backend: string; sum: number[] };
    if (run.code === 0 && result.backend === 'tensorflow' && result.sum.join(',') === '4,6') return { ok: true, detail: '' };
    return { ok: false, detail: `backend ${result.backend}, 1+3, 2+4 gave ${result.sum.join(', ')}` };
  } catch {
    return { ok: false, detail: tellingLine(run.output) };
  }
}

/** Runs the wheel script; its JSON answer, or its telling line as the problem when it crashed. */
async function wheelTool(python: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<{ problem?: string; headers?: number }> {
  const run = await runTool(python, ['-c', WHEEL_SCRIPT, ...args], { cwd, env, what: 'reading the wheel', signal });
  try {
    return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { problem?: string; headers?: number };
  } catch {
    return { problem: tellingLine(run.output) };
  }
}

/** A wheel's problem as a one-line error: exit 2 for the user's --wheel; exit 1 for a cached or downloaded one, which leaves the cache. */
function wheelError(problem: string, wheelPath: string, given: boolean): Error {
  const what = `${wheelPath} is ${problem.startsWith('no ') ? 'missing something: ' : ''}${problem}`;
  if (given) return new UsageError(`--wheel ${what}; give a tensorflow-cpu wheel (pip download --no-deps tensorflow-cpu)`);
  rmSync(wheelPath, { force: true }); // fetched again next time
  return new EnvironmentError(`the tensorflow-cpu wheel ${what} (removed from the cache; run again to download it afresh)`);
}

/** Writes a tool's output to the build log and returns the log's path. */
function keepLog(cacheDir: string, text: string): string {
  makeFolders(cacheDir);
  const path = join(cacheDir, 'native-install.log');
  writeFileSync(path, text);
  return path;
}

/**
 * Builds and installs the native addon (see the module comment). Throws EnvironmentError (exit 1)
 * for a machine that cannot, UsageError (exit 2) for a --wheel that is not a usable wheel.
 */
export async function installNative(options: NativeInstallOptions): Promise<NativeInstallResult> {
  const env = options.env ?? process.env;
  const root = vgradRoot();
  const cacheDir = nativeCacheDir(env);
  const scope = join(root, 'node_modules', '@tensorflow');
  const packageDir = join(scope, 'tfjs-node');
  const staging = join(scope, `.tfjs-node-staging-${process.pid}`);
  const version = declaredNativeVersion(root);

  const alreadyThere = existsSync(join(packageDir, 'package.json'));
  if (alreadyThere && !options.force && (await smokeTest(packageDir, root, env)).ok) {
    options.log(`native: ${NATIVE_PACKAGE} is installed and works; nothing to do (--force rebuilds it)`);
    return { packageDir, tensorflowVersion: 'installed', built: false };
  }
  const tools = findToolchain(env);
  const wheel = await obtainWheel(options, cacheDir, env);
  const tensorflowVersion = wheelVersion(wheel.path) ?? 'unknown';
  // The wheel is checked before node_modules is touched.
  const checked = await wheelTool(tools.python, ['check', wheel.path], root, env, options.signal);
  if (checked.problem !== undefined) throw wheelError(checked.problem, wheel.path, options.wheel !== undefined);

  const started = Date.now();
  let working = false;
  let done = false;
  try {
    if (!alreadyThere) {
      options.log(`native: fetching ${NATIVE_PACKAGE}@${version} from the npm registry without its install script`);
      const npm = await runTool(process.execPath, [tools.npmCli, 'install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${NATIVE_PACKAGE}@${version}`], {
        cwd: root,
        env,
        what: 'npm install',
        signal: options.signal,
      });
      if (npm.code !== 0 || !existsSync(join(packageDir, 'package.json'))) {
        throw new EnvironmentError(`npm could not install ${NATIVE_PACKAGE}@${version}: ${tellingLine(npm.output)} (log: ${keepLog(cacheDir, npm.output)})`);
      }
    } else {
      working = !options.force ? false : (await smokeTest(packageDir, root, env)).ok;
    }
    // Build in a copy; an unbuilt package must not stay where `--backend auto` would try to load it.
    rmSync(staging, { recursive: true, force: true });
    const leftovers = new Set(['deps', 'build', join('lib', `napi-v${NAPI_VERSION}`)].map((part) => join(packageDir, part)));
    cpSync(packageDir, staging, { recursive: true, filter: (source) => !leftovers.has(source) });
    if (!working) rmSync(packageDir, { recursive: true, force: true });

    options.log(`native: extracting the TensorFlow ${tensorflowVersion} C library and headers from ${wheel.path}`);
    const deps = join(staging, 'deps');
    const extracted = await wheelTool(tools.python, ['extract', wheel.path, deps, ...bindingIncludes(staging)], root, env, options.signal);
    if (extracted.problem !== undefined) throw wheelError(extracted.problem, wheel.path, options.wheel !== undefined);
    symlinkSync('libtensorflow_cc.so.2', join(deps, 'lib', 'libtensorflow.so'));
    symlinkSync('libtensorflow_framework.so.2', join(deps, 'lib', 'libtensorflow_framework.so'));

    options.log(`native: compiling the addon with node-gyp (${extracted.headers} TensorFlow headers)`);
    const addonDir = join(staging, 'lib', `napi-v${NAPI_VERSION}`);
    const gyp = await runTool(
      process.execPath,
      [tools.nodeGyp, 'rebuild', '--module_name=tfjs_binding', `--module_path=${addonDir}`, `--napi_build_version=${NAPI_VERSION}`, `--nodedir=${tools.nodeDir}`],
      { cwd: staging, env, what: 'node-gyp', signal: options.signal },
    );
    const addon = join(addonDir, 'tfjs_binding.node');
    if (gyp.code !== 0 || !existsSync(addon)) {
      throw new EnvironmentError(`the addon did not compile: ${tellingLine(gyp.output)} (log: ${keepLog(cacheDir, gyp.output)})`);
    }
    const libs = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'].map((name) => join(deps, 'lib', name));
    const missing = await missingSymbols(addon, libs, env, root);
    if (missing && missing.length > 0) {
      throw new EnvironmentError(`TensorFlow ${tensorflowVersion}'s libraries lack ${missing.length} function(s) the addon needs (${missing.slice(0, 3).join(', ')}…); use another tensorflow-cpu wheel with --wheel`);
    }
    // The headers served the compiler only.
    rmSync(join(deps, 'include'), { recursive: true, force: true });

    options.log('native: checking that the addon loads and computes');
    const smoke = await smokeTest(staging, root, env);
    if (!smoke.ok) throw new EnvironmentError(`the built addon does not work: ${smoke.detail}`);

    const old = join(scope, `.tfjs-node-old-${process.pid}`);
    if (existsSync(packageDir)) renameSync(packageDir, old);
    renameSync(staging, packageDir);
    rmSync(old, { recursive: true, force: true });
    done = true;
  } catch (error) {
    if (options.signal?.aborted) throw new EnvironmentError('native install interrupted; nothing was installed');
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    // An unbuilt package this run fetched (an npm install that failed or was interrupted half-way
    // included) must not stay where `--backend auto` would load it.
    if (!done && !working) rmSync(packageDir, { recursive: true, force: true });
  }
  options.log(`native: built in ${((Date.now() - started) / 1000).toFixed(0)} s; the native backend is ready (vgrad run --backend tensorflow)`);
  return { packageDir, tensorflowVersion, built: true };
}
