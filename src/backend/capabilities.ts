/**
 * What the running backend does well, as yes/no facts, so model code can choose its ops without
 * learning which backend runs (only src/backend knows that).
 */
import * as tf from './tf.js';

export interface BackendCapabilities {
  /**
   * matMul with transposeA/transposeB runs as fast as a plain one. Not on wasm: its XNNPACK kernel
   * takes no transpose flags and the fallback for transposed operands is ~10× slower, so there an
   * explicit transpose followed by a plain matMul wins. Elsewhere the flags save the transpose op.
   */
  transposedMatMul: boolean;
  /**
   * tf.step runs as one kernel (wasm, cpu). On the native backend it is a composite of ~7 ops
   * (isNaN, greater, two fills, two selects), ~40% of a training step's kernel time there.
   */
  stepKernel: boolean;
}

const SLOW_TRANSPOSED_MATMUL = new Set(['wasm']);
const COMPOSITE_STEP = new Set(['tensorflow']);

/** The capabilities of the backend running now. */
export function capabilities(): BackendCapabilities {
  const backend = tf.getBackend();
  return { transposedMatMul: !SLOW_TRANSPOSED_MATMUL.has(backend), stepKernel: !COMPOSITE_STEP.has(backend) };
}
