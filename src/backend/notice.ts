/**
 * The one line a run prints when --backend auto fell back from the native backend. Kept apart from
 * select.ts so a command that never trains (a sweep's parent, whose workers select the backend)
 * can ask without loading TensorFlow.js.
 */
import { createRequire } from 'node:module';
import { BACKEND_ENV, forcedBackend, type BackendChoice } from './choices.js';

/** The backend selectBackend made active in this process (select.ts notes it), if any. */
let selected: 'tensorflow' | 'wasm' | 'cpu' | undefined;
/** Whether this process has already printed the line. */
let given = false;

/** Called by selectBackend with the backend it made active. */
export function noteSelected(name: 'tensorflow' | 'wasm' | 'cpu'): void {
  selected = name;
}

/** Whether @tensorflow/tfjs-node can be found, without loading it (or TensorFlow) into the process. */
function nativeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/**
 * One line for stderr, once per process, when `requested` is --backend auto with VGRAD_BACKEND
 * unset and the native backend is not what runs: npm skipped @tensorflow/tfjs-node at install (its
 * download of libtensorflow failed) or it failed to load. Undefined otherwise, and every time after
 * the first. Before a backend is selected in this process the answer is whether tfjs-node is
 * installed at all. The caller leaves it out under --quiet.
 */
export function fallbackNotice(requested: BackendChoice): string | undefined {
  if (given || requested !== 'auto' || forcedBackend() !== undefined) return undefined;
  const name = selected ?? (nativeInstalled() ? 'tensorflow' : 'wasm');
  if (name === 'tensorflow') return undefined;
  given = true;
  const running = name === 'wasm' ? 'WebAssembly (wasm)' : 'the JavaScript cpu backend';
  return `vgrad: running on ${running}: the native backend (@tensorflow/tfjs-node) is not installed; 'vgrad native install' builds it offline (--quiet or ${BACKEND_ENV}=${name} hides this line)`;
}
