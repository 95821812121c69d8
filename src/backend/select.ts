/**
 * Backend selection: the only module that knows which TensorFlow.js backend runs.
 * auto = the native backend (@tensorflow/tfjs-node, an optional dependency) when it loads,
 * else WebAssembly, else the pure-JS cpu backend.
 */
import { totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../config/errors.js';

import type { BackendChoice } from './choices.js';

export interface BackendInfo {
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Version of the package that provides the backend. */
  version: string;
  /** tfjs-core version. */
  coreVersion: string;
  /** Extra facts worth recording (e.g. wasm SIMD). */
  features: Record<string, boolean>;
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

async function tryNative(): Promise<string | undefined> {
  try {
    // A variable specifier keeps TypeScript from requiring the optional package's types.
    const specifier = '@tensorflow/tfjs-node';
    const native = (await import(specifier)) as { version?: { 'tfjs-node'?: string } };
    if (!(await tf.setBackend('tensorflow'))) return undefined;
    return native.version?.['tfjs-node'] ?? tf.version_core;
  } catch {
    return undefined;
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return undefined;
    return wasm.version_wasm;
  } catch {
    return undefined;
  }
}

async function useCpu(): Promise<string> {
  const cpu = await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  return cpu.version_cpu;
}

let active: BackendInfo | undefined;

/** Makes `choice` the running backend; idempotent for the same resolved backend. */
export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  // Silences tfjs's console warnings (the cpu backend's "install the node backend" banner):
  // vgrad records and prints the backend itself, and stderr is for vgrad's own messages.
  tf.env().set('PROD', true);
  if (active && (choice === 'auto' || choice === active.name)) return active;
  let name: BackendInfo['name'];
  let version: string | undefined;
  if (choice === 'tensorflow' || choice === 'auto') {
    version = await tryNative();
    name = 'tensorflow';
    if (version === undefined && choice === 'tensorflow') {
      throw new UsageError(
        "--backend tensorflow: @tensorflow/tfjs-node is not installed or failed to load; run 'npm install @tensorflow/tfjs-node' on a machine that can download libtensorflow, or use --backend auto, wasm or cpu",
      );
    }
  }
  if (version === undefined && (choice === 'wasm' || choice === 'auto')) {
    version = await tryWasm();
    name = 'wasm';
    if (version === undefined && choice === 'wasm') {
      throw new UsageError('--backend wasm: @tensorflow/tfjs-backend-wasm failed to load; use --backend auto or cpu');
    }
  }
  if (version === undefined) {
    version = await useCpu();
    name = 'cpu';
  }
  await tf.ready();
  const features: Record<string, boolean> = {};
  if (name! === 'wasm') {
    features.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    features.threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  }
  active = { name: name!, version, coreVersion: tf.version_core, features };
  return active;
}
