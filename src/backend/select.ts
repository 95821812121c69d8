/**
 * Backend selection: the only module that knows which TensorFlow.js backend runs.
 * auto = the backend VGRAD_BACKEND names when it is set; otherwise the native backend
 * (@tensorflow/tfjs-node, an optional dependency) when it loads, else WebAssembly, else the
 * pure-JS cpu backend.
 */
import { createRequire } from 'node:module';
import { totalmem } from 'node:os';
import { UsageError } from '../util/errors.js';
import * as tf from './tf.js';

import { BACKEND_ENV, forcedBackend, type BackendChoice } from './choices.js';
import { noteSelected } from './notice.js';

export interface BackendInfo {
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Version of the package that provides the backend. */
  version: string;
  /** tfjs-core version. */
  coreVersion: string;
  /** Extra facts worth recording (e.g. wasm SIMD). */
  features: Record<string, boolean>;
  /** The compute threads --threads asked for; absent when the backend's own default runs. */
  threads?: number;
}

/** What a run may ask of the backend beyond its name. */
export interface BackendSettings {
  /** Compute threads (TensorFlow's intra- and inter-op pools on the native backend); null or absent: the backend's default. */
  threads?: number | null;
}

/** Whether TensorFlow's native library has been loaded into this process (its settings are then fixed). */
let nativeLoaded = false;
/** The threads the native library was configured with before it loaded (undefined: TensorFlow's default). */
let nativeThreads: number | undefined;

/**
 * Settings TensorFlow's native library reads from the environment once, when it loads: so they
 * must be in process.env before the addon is imported.
 *  - Its C++ log lines (absl INFO/WARNING: CPU-feature notes, "All log messages before
 *    absl::InitializeLog()") are silenced with TF_CPP_MIN_LOG_LEVEL=2, unless the user set that
 *    variable: stderr is for vgrad's own one-line messages.
 *  - The oneDNN banner ("oneDNN custom operations are on…") ignores the log level; only
 *    TF_ENABLE_ONEDNN_OPTS=0 stops it (measured with TF 2.21). So oneDNN's custom ops are off too,
 *    unless the user set either variable (then they see TensorFlow as it is).
 *  - threads: TF_NUM_INTRAOP_THREADS and TF_NUM_INTEROP_THREADS (measured: the process gains
 *    exactly one OS thread per extra intra-op thread).
 * Throws a one-line UsageError when the library is already loaded with other threads.
 */
export function configureNative(settings: BackendSettings = {}, env: NodeJS.ProcessEnv = process.env): void {
  const threads = settings.threads ?? undefined;
  if (nativeLoaded) {
    if (threads !== nativeThreads) {
      throw new UsageError(`--threads ${threads ?? 'default'}: TensorFlow is already running in this process with ${nativeThreads ?? 'its default'} threads; it reads the setting once, at load`);
    }
    return;
  }
  if (env.TF_CPP_MIN_LOG_LEVEL === undefined) {
    env.TF_CPP_MIN_LOG_LEVEL = '2';
    env.TF_ENABLE_ONEDNN_OPTS ??= '0';
  }
  if (threads !== undefined) {
    env.TF_NUM_INTRAOP_THREADS = String(threads);
    env.TF_NUM_INTEROP_THREADS = String(threads);
  }
  nativeThreads = threads;
}

/**
 * tfjs-backend-wasm 4.x is built for 32-bit WebAssembly: its heap stops growing at 4 GiB − 64 KiB
 * (Emscripten's getHeapMax), and every tensor lives in that heap. The heap must be larger than
 * the live tensors: measured, it grew to 1.33–1.58× their peak (allocator fragmentation and
 * growth steps). A 100-layer net of width 1000 (2.7 GiB of tensors at peak) ran in a 3.6 GiB
 * heap; at 130 layers (3.5 GiB estimated) the heap ran out. So tensors may use 3/4 of it.
 */
const WASM_HEAP_MAX_BYTES = 4 * 1024 ** 3 - 64 * 1024;
const WASM_TENSOR_SHARE = 0.75;

/**
 * The share of the host's memory one run may fill with tensors, leaving room for the rest of
 * the process, the OS and other programs.
 */
const HOST_TENSOR_SHARE = 0.75;

/** The machine's memory, or the container's (cgroup) limit when that is smaller. */
function hostMemoryBytes(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = totalmem();
  return constrained > 0 && constrained < total ? constrained : total;
}

/**
 * Bytes of tensor memory a run may use on `backend`; nets estimated above it are refused. The
 * native and cpu backends keep tensors in ordinary process memory, bounded by the host's.
 * (A function rather than a BackendInfo field, so the stored record's backend stays as it was.)
 */
export function memoryLimitBytes(backend: BackendInfo): number {
  return Math.floor(backend.name === 'wasm' ? WASM_HEAP_MAX_BYTES * WASM_TENSOR_SHARE : hostMemoryBytes() * HOST_TENSOR_SHARE);
}

/**
 * The backend packages are CommonJS, like tfjs-core (see ./tf.ts): required, not imported, so Node
 * does not scan each for its export names first. Requiring one registers it with tfjs-core.
 */
const requireBackend = createRequire(import.meta.url);

async function tryNative(settings: BackendSettings): Promise<string | undefined> {
  configureNative(settings);
  try {
    const native = requireBackend('@tensorflow/tfjs-node') as { version?: { 'tfjs-node'?: string } };
    nativeLoaded = true;
    if (!(await tf.setBackend('tensorflow'))) return undefined;
    return native.version?.['tfjs-node'] ?? tf.version_core;
  } catch {
    return undefined;
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    const wasm = requireBackend('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return undefined;
    return wasm.version_wasm;
  } catch {
    return undefined;
  }
}

async function useCpu(): Promise<string> {
  const cpu = requireBackend('@tensorflow/tfjs-backend-cpu') as typeof import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  return cpu.version_cpu;
}

let active: BackendInfo | undefined;

/** Where the backend choice came from, for messages: the flag, or VGRAD_BACKEND behind --backend auto. */
function resolveChoice(choice: BackendChoice): { choice: BackendChoice; source: string } {
  const forced = choice === 'auto' ? forcedBackend() : undefined;
  return forced === undefined ? { choice, source: `--backend ${choice}` } : { choice: forced, source: `${BACKEND_ENV}=${forced}` };
}

/**
 * --threads needs a backend that can run that many: the native one sets its pools; wasm (no
 * threads in Node) and the JavaScript cpu backend always run one, so they honour 1 and refuse more.
 */
function checkThreads(name: BackendInfo['name'], choice: BackendChoice, source: string, settings: BackendSettings): void {
  const threads = settings.threads ?? undefined;
  if (threads === undefined || threads === 1 || name === 'tensorflow') return;
  const why =
    choice === 'auto'
      ? `--backend auto chose ${name} because the native backend (@tensorflow/tfjs-node) is not installed; see 'vgrad native install'`
      : `the ${name} backend (${source}) runs one thread in Node; use the native one, --backend tensorflow (see 'vgrad native install')`;
  throw new UsageError(`--threads ${threads}: only the native backend runs more than 1 thread; ${why}`);
}

/**
 * Makes `choice` the running backend; idempotent for the same resolved backend. `settings.threads`
 * is applied before the native library loads (see configureNative), and refused where the
 * backend cannot honour it.
 */
export async function selectBackend(requested: BackendChoice, settings: BackendSettings = {}): Promise<BackendInfo> {
  // Silences tfjs's console warnings (the cpu backend's "install the node backend" banner):
  // vgrad records and prints the backend itself, and stderr is for vgrad's own messages.
  tf.env().set('PROD', true);
  const { choice, source } = resolveChoice(requested);
  const threads = settings.threads ?? undefined;
  if (active && (choice === 'auto' || choice === active.name)) {
    checkThreads(active.name, choice, source, settings);
    if (active.name === 'tensorflow') configureNative(settings);
    return threads === undefined ? active : { ...active, threads };
  }
  let name: BackendInfo['name'];
  let version: string | undefined;
  if (choice === 'tensorflow' || choice === 'auto') {
    version = await tryNative(settings);
    name = 'tensorflow';
    if (version === undefined && choice === 'tensorflow') {
      throw new UsageError(
        `${source}: @tensorflow/tfjs-node is not installed or failed to load; run 'npm install @tensorflow/tfjs-node' on a machine that can download libtensorflow, or 'vgrad native install' (offline, from a tensorflow-cpu wheel), or use --backend auto, wasm or cpu`,
      );
    }
  }
  if (version === undefined && (choice === 'wasm' || choice === 'auto')) {
    version = await tryWasm();
    name = 'wasm';
    if (version === undefined && choice === 'wasm') {
      throw new UsageError(`${source}: @tensorflow/tfjs-backend-wasm failed to load; use --backend auto or cpu`);
    }
  }
  if (version === undefined) {
    version = await useCpu();
    name = 'cpu';
  }
  checkThreads(name!, choice, source, settings);
  await tf.ready();
  const features: Record<string, boolean> = {};
  if (name! === 'wasm') {
    features.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    features.threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  }
  active = { name: name!, version, coreVersion: tf.version_core, features };
  noteSelected(active.name);
  return threads === undefined ? active : { ...active, threads };
}

