/**
 * How much device memory a run needs, estimated from its shape before anything is built, so that
 * a net too large for the backend is refused in one line instead of dying minutes later inside
 * WebAssembly (or with a RangeError). Pure arithmetic: no tensors.
 *
 * The count follows what the code keeps alive at once (float32, 4 bytes a value). A step's
 * forward and backward pass run inside one tf.tidy, so every intermediate of the batch lives
 * until the step ends:
 * - per hidden unit and sample: matMul, z, φ(z) forward; transposed input, ∂L/∂a, φ'(z) and
 *   ∂L/∂z backward (7 values), plus φ''s own temporaries for the widest layer (3);
 * - per output unit and sample: matMul, logits, log-softmax, exp, difference, ∂L/∂logits, targets;
 * - per input feature and sample: the batch and its transpose;
 * - the weight gradients (one set of parameters) and the transposed weights of layers 2..L.
 * The probe batch does the same plus the per-layer statistics' temporaries; the final evaluation
 * runs the forward pass over chunks of rows; the update holds the gradients, the optimizer's
 * temporaries and, on probe steps, a copy of the weights for ‖ΔW‖/‖W‖. The peak is the weights and optimizer slots plus the largest
 * of those phases. Calibration against measured peaks is in docs/run.md ("Memory check").
 */
import { OPTIMIZER, type OptimizerName } from '../config/optimizers.js';
import { UsageError } from '../util/errors.js';

const BYTES_PER_VALUE = 4;

/**
 * V8 refuses typed arrays longer than 2^32 elements (Node 20), and tfjs-core draws every random
 * weight matrix into one: no single tensor may be larger.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 32;

export interface MemoryPlan {
  /** Layer widths from input to output, e.g. [784, 300, 100, 10]. */
  sizes: readonly number[];
  batch: number;
  /** Rows of the probe batch. */
  probeSize: number;
  /** Rows the final evaluation feeds through the net at once. */
  evalChunk: number;
  optimizer: OptimizerName;
}

export interface MemoryEstimate {
  /** Peak bytes the run needs on the device. */
  bytes: number;
  parts: {
    /** Weights and biases. */
    parameters: number;
    optimizer: number;
    /** The largest of the phases below, on top of parameters and optimizer slots. */
    trainStep: number;
    probe: number;
    update: number;
    evaluation: number;
  };
  /** Elements of the largest single tensor (a weight matrix or a batch of activations). */
  largestTensorElements: number;
}

/** Sum and largest of the hidden widths (a loop: a million-layer net must not overflow the stack via spread). */
function hiddenShape(sizes: readonly number[]): { hiddenSum: number; widest: number } {
  let hiddenSum = 0;
  let widest = 0;
  for (let l = 1; l + 1 < sizes.length; l++) {
    hiddenSum += sizes[l];
    widest = Math.max(widest, sizes[l]);
  }
  return { hiddenSum, widest };
}

/** Forward and backward intermediates per sample (in values) of one pass, as lossAndGradients keeps them. */
function valuesPerSample(sizes: readonly number[]): number {
  const features = sizes[0];
  const classes = sizes[sizes.length - 1];
  const { hiddenSum, widest } = hiddenShape(sizes);
  return 7 * hiddenSum + 3 * widest + 7 * classes + 2 * features;
}

export function estimateMemory(plan: MemoryPlan): MemoryEstimate {
  const { sizes } = plan;
  let weights = 0;
  let biases = 0;
  let laterWeights = 0; // layers 2..L, whose transposes the backward pass makes
  let largestLayer = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const count = sizes[l] * sizes[l + 1];
    weights += count;
    biases += sizes[l + 1];
    if (l > 0) laterWeights += count;
    largestLayer = Math.max(largestLayer, count + sizes[l + 1]);
  }
  const parameters = weights + biases;
  const { hiddenSum, widest } = hiddenShape(sizes);
  const classes = sizes[sizes.length - 1];
  const perSample = valuesPerSample(sizes);
  // The probe batch (inputs, transpose, targets) stays on the device for the whole run.
  const probeBatch = plan.probeSize * (2 * sizes[0] + classes);

  const trainStep = parameters + laterWeights + plan.batch * perSample;
  // Statistics: the saturation mask as float and bool (1.25) per hidden value, moments' temporaries, softmax.
  const probe = parameters + laterWeights + plan.probeSize * (perSample + 1.25 * hiddenSum + 2 * widest + classes);
  // The gradients and the weights before the update (kept on probe steps for ‖ΔW‖/‖W‖) plus the
  // optimizer's temporaries; afterwards the weights before and their differences.
  const optimizerMemory = OPTIMIZER[plan.optimizer].memory;
  const update = 2 * parameters + optimizerMemory.updatePerParameter * parameters + optimizerMemory.updatePerLargestLayer * largestLayer;
  const evaluation = plan.evalChunk * (3 * hiddenSum + 3 * classes + sizes[0]);

  const optimizer = optimizerMemory.slots * parameters;
  const values = parameters + optimizer + probeBatch + Math.max(trainStep, probe, update, evaluation);
  const largestRows = Math.max(plan.batch, plan.probeSize, plan.evalChunk);
  return {
    bytes: values * BYTES_PER_VALUE,
    parts: {
      parameters: parameters * BYTES_PER_VALUE,
      optimizer: optimizer * BYTES_PER_VALUE,
      trainStep: trainStep * BYTES_PER_VALUE,
      probe: probe * BYTES_PER_VALUE,
      update: update * BYTES_PER_VALUE,
      evaluation: evaluation * BYTES_PER_VALUE,
    },
    largestTensorElements: Math.max(largestLayer, largestRows * Math.max(widest, sizes[0])),
  };
}

/** 1536 → "1.5 KiB"; binary units, as memory limits are. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * Refuses a run whose estimate exceeds `limitBytes` (the backend's memory limit), or whose largest
 * tensor no typed array can hold, with one line giving both numbers.
 */
export function assertFitsMemory(estimate: MemoryEstimate, limitBytes: number, backendName: string): void {
  if (estimate.bytes > limitBytes) {
    throw new UsageError(
      `the net is too large: it needs about ${formatBytes(estimate.bytes)} of memory (weights ${formatBytes(estimate.parts.parameters)}), more than the ${formatBytes(limitBytes)} the ${backendName} backend can use; use fewer or narrower layers (--depth, --width, --layers), or a smaller --batch/--probe-size`,
    );
  }
  if (estimate.largestTensorElements > MAX_TENSOR_ELEMENTS) {
    throw new UsageError(
      `the net is too large: one tensor would hold ${estimate.largestTensorElements.toExponential(2)} values, and at most ${MAX_TENSOR_ELEMENTS.toExponential(2)} fit in one array; use fewer or narrower layers (--depth, --width, --layers)`,
    );
  }
}
