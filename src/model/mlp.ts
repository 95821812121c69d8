/**
 * A fully connected net: input → hidden layers (activation φ) → linear output → softmax cross-entropy.
 *
 * The backward pass is written out rather than left to autodiff, for two reasons: the probes need
 * ∂L/∂z for every layer (autodiff only hands back parameter gradients), and the first layer's
 * ∂L/∂x is never needed, since its input is data. Tests check it against tf.grads.
 */
import * as tf from '../backend/tf.js';
import type { ActivationName } from './activations.js';
import { activationOps, type ActivationOps } from './activationOps.js';
import { capabilities } from '../backend/capabilities.js';
import type { InitContext, Initializer } from './initializers.js';
import { sampleWeights } from './sampleWeights.js';
import { tfSeedFor } from '../util/random.js';
import { checkpoint } from '../util/abort.js';

export interface MlpSpec {
  /** Layer widths from input to output, e.g. [784, 300, 100, 10]. */
  sizes: number[];
  act: ActivationName;
  /** Leaky-ReLU negative slope. */
  alpha: number;
  /**
   * Batch normalization after each hidden layer's pre-activation z, before φ (absent: none):
   * ẑ = γ·(z − μ)/√(σ² + ε) + β per unit, μ and σ² the batch's mean and biased variance in
   * training, the running statistics in evaluation. PyTorch's BatchNorm1d conventions: the running
   * variance tracks the unbiased batch variance, running ← (1 − momentum)·running + momentum·batch.
   */
  batchNorm?: { momentum: number; eps: number };
}

/** The batch-norm parameters and running statistics, one entry per hidden layer. */
export interface BatchNormState {
  gammas: tf.Variable<tf.Rank.R1>[];
  betas: tf.Variable<tf.Rank.R1>[];
  runningMeans: tf.Variable<tf.Rank.R1>[];
  runningVars: tf.Variable<tf.Rank.R1>[];
}

export interface Mlp extends MlpSpec {
  /** weights[l] is fanIn × fanOut, so a layer computes z = a·W + b. */
  weights: tf.Variable<tf.Rank.R2>[];
  biases: tf.Variable<tf.Rank.R1>[];
  ops: ActivationOps;
  /** With spec.batchNorm only. */
  bn?: BatchNormState;
}

/** The trainable variables in the order the gradients come: weights, biases, then γ and β with batch norm. */
export function trainableVariables(model: Mlp): tf.Variable[] {
  return [...model.weights, ...model.biases, ...(model.bn ? [...model.bn.gammas, ...model.bn.betas] : [])];
}

/** γ = 1, β = 0, running mean 0 and running variance 1 for each hidden layer (PyTorch's initial state). */
function createBatchNormState(id: string, sizes: number[]): BatchNormState {
  const state: BatchNormState = { gammas: [], betas: [], runningMeans: [], runningVars: [] };
  for (let l = 1; l + 1 < sizes.length; l++) {
    const units = sizes[l];
    tf.tidy(() => {
      state.gammas.push(tf.variable(tf.ones([units]) as tf.Tensor1D, true, `${id}/gamma${l}`));
      state.betas.push(tf.variable(tf.zeros([units]) as tf.Tensor1D, true, `${id}/beta${l}`));
      state.runningMeans.push(tf.variable(tf.zeros([units]) as tf.Tensor1D, false, `${id}/runningMean${l}`));
      state.runningVars.push(tf.variable(tf.ones([units]) as tf.Tensor1D, false, `${id}/runningVar${l}`));
    });
  }
  return state;
}

let modelCounter = 0;

/**
 * Builds the net with the initializer's weights and biases drawn from N(0, biasStd²) (zero when
 * biasStd is 0). Same seed, same weights: the biases have their own random streams, so drawing
 * them never changes a weight.
 */
export function createMlp(spec: MlpSpec, init: Initializer, initContext: InitContext, seed: number, biasStd = 0): Mlp {
  return runSteps(createMlpSteps(spec, init, initContext, seed, biasStd));
}

/**
 * createMlp, yielding to the event loop after each layer and stopping with an InterruptedError
 * when `signal` is aborted: sampling a 1000×1000 layer takes long enough to matter.
 */
export async function createMlpInterruptible(spec: MlpSpec, init: Initializer, initContext: InitContext, seed: number, signal?: AbortSignal, biasStd = 0): Promise<Mlp> {
  const layers = spec.sizes.length - 1;
  const steps = createMlpSteps(spec, init, initContext, seed, biasStd);
  try {
    return await runStepsInterruptible(steps, signal, (l) => `while building the model (layer ${l} of ${layers})`);
  } catch (error) {
    // Dispose the layers already made: let the generator's finally do it.
    steps.throw(error);
    throw error;
  }
}

function* createMlpSteps(spec: MlpSpec, init: Initializer, initContext: InitContext, seed: number, biasStd: number): Generator<number, Mlp, void> {
  const id = `vgrad${++modelCounter}`; // variable names must be unique in the tfjs engine
  const weights: tf.Variable<tf.Rank.R2>[] = [];
  const biases: tf.Variable<tf.Rank.R1>[] = [];
  let complete = false;
  try {
    for (let l = 0; l + 1 < spec.sizes.length; l++) {
      const fanIn = spec.sizes[l];
      const fanOut = spec.sizes[l + 1];
      // The output layer is softmax, not φ; it still gets the chosen scheme, as Keras would.
      const dist = init.distribution(fanIn, fanOut, initContext);
      const initial = sampleWeights(dist, fanIn, fanOut, tfSeedFor(seed, `init:layer${l + 1}`));
      weights.push(tf.variable(initial, true, `${id}/W${l + 1}`));
      initial.dispose();
      const bias = (biasStd > 0 ? tf.randomNormal([fanOut], 0, biasStd, 'float32', tfSeedFor(seed, `init:bias${l + 1}`)) : tf.zeros([fanOut])) as tf.Tensor1D;
      biases.push(tf.variable(bias, true, `${id}/b${l + 1}`));
      bias.dispose(); // the variable holds its own reference to the data
      yield l + 1;
    }
    complete = true;
  } finally {
    if (!complete) tf.dispose([...weights, ...biases]);
  }
  // The batch-norm state takes no random numbers: the weights are those of the same seed without it.
  return { ...spec, weights, biases, ops: activationOps(spec.act, spec.alpha), ...(spec.batchNorm ? { bn: createBatchNormState(id, spec.sizes) } : {}) };
}

/**
 * Builds the net with given parameters (weight l is fanIn × fanOut, row-major, as `weights[l]`
 * holds it), e.g. read from a safetensors file. The caller has checked the shapes.
 */
export function createMlpFromWeights(spec: MlpSpec, layers: { weight: Float32Array; bias: Float32Array }[]): Mlp {
  const id = `vgrad${++modelCounter}`;
  const weights: tf.Variable<tf.Rank.R2>[] = [];
  const biases: tf.Variable<tf.Rank.R1>[] = [];
  layers.forEach((layer, l) => {
    weights.push(tf.tidy(() => tf.variable(tf.tensor2d(layer.weight, [spec.sizes[l], spec.sizes[l + 1]]), true, `${id}/W${l + 1}`)));
    biases.push(tf.tidy(() => tf.variable(tf.tensor1d(layer.bias), true, `${id}/b${l + 1}`)));
  });
  return { ...spec, weights, biases, ops: activationOps(spec.act, spec.alpha), ...(spec.batchNorm ? { bn: createBatchNormState(id, spec.sizes) } : {}) };
}

/** The net's parameters read back from the device: weight l fanIn × fanOut, row-major. */
export function readParameters(model: Mlp): { weight: Float32Array; bias: Float32Array }[] {
  return model.weights.map((w, l) => ({ weight: Float32Array.from(w.dataSync()), bias: Float32Array.from(model.biases[l].dataSync()) }));
}

/**
 * Layer-by-layer computations are written once, as generators that yield after each layer: run
 * straight through (inside tf.tidy, as the training step does), or with a checkpoint at each yield.
 */
function runSteps<T>(steps: Generator<number, T, void>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

async function runStepsInterruptible<T>(steps: Generator<number, T, void>, signal: AbortSignal | undefined, phase: (at: number) => string): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    const at = next.value;
    await checkpoint(signal, () => phase(at));
  }
}

/**
 * Runs `work` in a tfjs scope that may span awaits (tf.tidy cannot): every tensor created inside
 * is disposed at the end, also when it throws. Only for work whose result is plain JS values, and
 * only while no other tfjs work runs in between (vgrad runs one model at a time).
 */
export async function inAsyncScope<T>(work: () => Promise<T>): Promise<T> {
  tf.engine().startScope();
  try {
    return await work();
  } finally {
    tf.engine().endScope();
  }
}

export function disposeMlp(model: Mlp): void {
  for (const v of [...model.weights, ...model.biases]) v.dispose();
  if (model.bn) tf.dispose([...model.bn.gammas, ...model.bn.betas, ...model.bn.runningMeans, ...model.bn.runningVars]);
}

export interface ForwardTrace {
  /** inputs[l] is what layer l+1 reads: the data for l = 0, else the previous activation. */
  inputs: tf.Tensor2D[];
  /** preacts[l] is layer l+1's z; the last one is the logits. */
  preacts: tf.Tensor2D[];
  /** With batch norm (training-mode statistics), per hidden layer: what the backward pass and the running statistics need. */
  bn?: {
    /** ẑ = γ·x̂ + β, φ's input. */
    normalized: tf.Tensor2D[];
    /** x̂ = (z − μ)/√(σ² + ε). */
    standardized: tf.Tensor2D[];
    /** 1/√(σ² + ε) per unit. */
    invStd: tf.Tensor1D[];
    /** The batch mean and biased variance per unit. */
    means: tf.Tensor1D[];
    variances: tf.Tensor1D[];
  };
}

export function forward(model: Mlp, x: tf.Tensor2D): ForwardTrace {
  return runSteps(forwardSteps(model, x));
}

function* forwardSteps(model: Mlp, x: tf.Tensor2D): Generator<number, ForwardTrace, void> {
  const inputs: tf.Tensor2D[] = [];
  const preacts: tf.Tensor2D[] = [];
  const bn = model.bn ? { normalized: [] as tf.Tensor2D[], standardized: [] as tf.Tensor2D[], invStd: [] as tf.Tensor1D[], means: [] as tf.Tensor1D[], variances: [] as tf.Tensor1D[] } : undefined;
  let input = x;
  const last = model.weights.length - 1;
  for (let l = 0; l <= last; l++) {
    inputs.push(input);
    const z = tf.add(tf.matMul(input, model.weights[l]), model.biases[l]) as tf.Tensor2D;
    preacts.push(z);
    if (l < last) {
      let phiInput = z;
      if (bn && model.bn) {
        const mean = tf.mean(z, 0) as tf.Tensor1D;
        const centered = tf.sub(z, mean) as tf.Tensor2D;
        const variance = tf.mean(tf.square(centered), 0) as tf.Tensor1D;
        const invStd = tf.rsqrt(tf.add(variance, model.batchNorm!.eps)) as tf.Tensor1D;
        const standardized = tf.mul(centered, invStd) as tf.Tensor2D;
        phiInput = tf.add(tf.mul(standardized, model.bn.gammas[l]), model.bn.betas[l]) as tf.Tensor2D;
        bn.normalized.push(phiInput);
        bn.standardized.push(standardized);
        bn.invStd.push(invStd);
        bn.means.push(mean);
        bn.variances.push(variance);
      }
      input = model.ops.apply(phiInput) as tf.Tensor2D;
    }
    yield l + 1;
  }
  return { inputs, preacts, ...(bn ? { bn } : {}) };
}

/** A batch on the device: inputs and one-hot targets, with the labels kept in JS for scoring. */
export interface LabeledBatch {
  x: tf.Tensor2D;
  /**
   * The inputs transposed (features × batch), for the first layer's weight gradient xᵀ·∂L/∂z, on
   * backends without fast transposed matMul (wasm). Built in JS while the batch is assembled: ~10×
   * cheaper than tf.transpose on wasm. null where matMul takes the transpose flag instead.
   */
  xT: tf.Tensor2D | null;
  /** One-hot, batch × classes, float32. */
  targets: tf.Tensor2D;
  labels: ArrayLike<number>;
}

/** A flat row-major batch of `labels.length` rows as tensors. The caller disposes them (disposeBatch). */
export function batchTensors(x: Float32Array, labels: ArrayLike<number>, features: number, classes: number): LabeledBatch {
  const count = labels.length;
  const oneHot = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) oneHot[i * classes + labels[i]] = 1;
  let xT: tf.Tensor2D | null = null;
  if (!capabilities().transposedMatMul) {
    const transposed = new Float32Array(count * features);
    for (let i = 0; i < count; i++) for (let f = 0; f < features; f++) transposed[f * count + i] = x[i * features + f];
    xT = tf.tensor2d(transposed, [features, count]);
  }
  return {
    x: tf.tensor2d(x.subarray(0, count * features), [count, features]),
    xT,
    targets: tf.tensor2d(oneHot, [count, classes]),
    labels,
  };
}

export function disposeBatch(batch: LabeledBatch): void {
  tf.dispose([batch.x, batch.targets]);
  batch.xT?.dispose();
}

/**
 * Mean cross-entropy and correct count from log-probabilities read back from the device. Scoring
 * in JS (float64) costs nothing for batch × 10 values and saves a string of tiny device ops.
 */
export function scoreLogProbs(logProbs: ArrayLike<number>, labels: ArrayLike<number>, classes: number): { loss: number; correct: number } {
  let nll = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = i * classes;
    nll -= logProbs[row + labels[i]];
    let best = 0;
    for (let c = 1; c < classes; c++) if (logProbs[row + c] > logProbs[row + best]) best = c;
    if (best === labels[i]) correct++;
  }
  return { loss: nll / labels.length, correct };
}

export interface Gradients {
  /** log softmax of the logits, batch × classes: score it with scoreLogProbs. */
  logProbs: tf.Tensor2D;
  /** ∂L/∂W and ∂L/∂b for each layer, L the batch-mean loss. */
  weightGrads: tf.Tensor2D[];
  biasGrads: tf.Tensor1D[];
  /** ∂L/∂z for each layer (the last is ∂L/∂logits), L the batch-mean loss. */
  preactGrads: tf.Tensor2D[];
  /** φ'(z) of each hidden layer (φ'(ẑ) with batch norm), as the backward pass used it. */
  slopes: tf.Tensor2D[];
  /** With batch norm: ∂L/∂γ, ∂L/∂β and ∂L/∂ẑ of each hidden layer. */
  gammaGrads?: tf.Tensor1D[];
  betaGrads?: tf.Tensor1D[];
  normalizedGrads?: tf.Tensor2D[];
  trace: ForwardTrace;
}

/** Forward and backward pass on one batch for the mean softmax cross-entropy. Call inside tf.tidy. */
export function lossAndGradients(model: Mlp, batch: LabeledBatch): Gradients {
  return runSteps(lossAndGradientsSteps(model, batch));
}

/**
 * lossAndGradients with a checkpoint after each layer of the forward and backward pass, for the
 * probes of big nets. The same operations in the same order, so the same numbers. Call inside
 * inAsyncScope (the tensors it returns are disposed when that scope ends).
 */
export function lossAndGradientsInterruptible(model: Mlp, batch: LabeledBatch, signal: AbortSignal | undefined, phase: string): Promise<Gradients> {
  return runStepsInterruptible(lossAndGradientsSteps(model, batch), signal, () => phase);
}

function* lossAndGradientsSteps(model: Mlp, batch: LabeledBatch): Generator<number, Gradients, void> {
  const trace = yield* forwardSteps(model, batch.x);
  const layers = model.weights.length;
  const logits = trace.preacts[layers - 1];
  const batchSize = batch.x.shape[0];
  const logProbs = tf.logSoftmax(logits) as tf.Tensor2D;

  const weightGrads: tf.Tensor2D[] = new Array(layers);
  const biasGrads: tf.Tensor1D[] = new Array(layers);
  const preactGrads: tf.Tensor2D[] = new Array(layers);
  const slopes: tf.Tensor2D[] = new Array(layers - 1);
  const bnGrads = trace.bn ? { gammaGrads: new Array<tf.Tensor1D>(layers - 1), betaGrads: new Array<tf.Tensor1D>(layers - 1), normalizedGrads: new Array<tf.Tensor2D>(layers - 1) } : undefined;
  const { transposedMatMul } = capabilities();
  // ∂L/∂logits of the batch-mean softmax cross-entropy.
  let dz = tf.div(tf.sub(tf.exp(logProbs), batch.targets), batchSize) as tf.Tensor2D;
  for (let l = layers - 1; l >= 0; l--) {
    preactGrads[l] = dz;
    // Where transposed matMul is slow (wasm: XNNPACK takes no transpose flags, and its fallback
    // is about 10× slower), explicit transposes then plain matMuls; elsewhere the flags, one op less.
    weightGrads[l] = transposedMatMul ? tf.matMul(trace.inputs[l], dz, true, false) : tf.matMul(l === 0 && batch.xT ? batch.xT : tf.transpose(trace.inputs[l]), dz);
    biasGrads[l] = tf.sum(dz, 0) as tf.Tensor1D;
    if (l > 0) {
      const dInput = transposedMatMul ? tf.matMul(dz, model.weights[l], false, true) : tf.matMul(dz, tf.transpose(model.weights[l]));
      if (trace.bn && bnGrads && model.bn) {
        // Through φ to ẑ, then through the normalization to z (the batch statistics depend on z):
        // ∂L/∂z = (1/√(σ²+ε))·(g − mean(g) − x̂·mean(g·x̂)) with g = γ·∂L/∂ẑ, means over the batch.
        const k = l - 1;
        const xhat = trace.bn.standardized[k];
        slopes[k] = model.ops.derivative(trace.bn.normalized[k], trace.inputs[l]) as tf.Tensor2D;
        const dNormalized = tf.mul(dInput, slopes[k]) as tf.Tensor2D;
        bnGrads.normalizedGrads[k] = dNormalized;
        bnGrads.gammaGrads[k] = tf.sum(tf.mul(dNormalized, xhat), 0) as tf.Tensor1D;
        bnGrads.betaGrads[k] = tf.sum(dNormalized, 0) as tf.Tensor1D;
        const g = tf.mul(dNormalized, model.bn.gammas[k]);
        dz = tf.mul(tf.sub(tf.sub(g, tf.mean(g, 0)), tf.mul(xhat, tf.mean(tf.mul(g, xhat), 0))), trace.bn.invStd[k]) as tf.Tensor2D;
      } else {
        slopes[l - 1] = model.ops.derivative(trace.preacts[l - 1], trace.inputs[l]) as tf.Tensor2D;
        dz = tf.mul(dInput, slopes[l - 1]) as tf.Tensor2D;
      }
    }
    yield l;
  }
  return { logProbs, weightGrads, biasGrads, preactGrads, slopes, trace, ...bnGrads };
}

/** Hidden layer l's φ input in evaluation: z itself, or with batch norm γ·(z − running mean)/√(running var + ε) + β. */
function normalizeForEvaluation(model: Mlp, l: number, z: tf.Tensor2D): tf.Tensor2D {
  if (!model.bn) return z;
  const { gammas, betas, runningMeans, runningVars } = model.bn;
  return tf.add(tf.mul(tf.mul(tf.sub(z, runningMeans[l]), tf.rsqrt(tf.add(runningVars[l], model.batchNorm!.eps))), gammas[l]), betas[l]) as tf.Tensor2D;
}

/**
 * After a training step: running ← (1 − momentum)·running + momentum·batch statistic, the variance's
 * unbiased (×B/(B−1), as PyTorch; a batch of 1 leaves the running variance as it is).
 */
export function updateRunningStatistics(model: Mlp, means: tf.Tensor1D[], variances: tf.Tensor1D[], batchSize: number): void {
  if (!model.bn) return;
  const { momentum } = model.batchNorm!;
  const { runningMeans, runningVars } = model.bn;
  tf.tidy(() => {
    means.forEach((mean, l) => {
      runningMeans[l].assign(tf.add(tf.mul(runningMeans[l], 1 - momentum), tf.mul(mean, momentum)) as tf.Tensor1D);
      if (batchSize > 1) runningVars[l].assign(tf.add(tf.mul(runningVars[l], 1 - momentum), tf.mul(variances[l], (momentum * batchSize) / (batchSize - 1))) as tf.Tensor1D);
    });
  });
}

/** Rows evaluate() feeds through the net at once. */
export const EVAL_CHUNK = 1000;

/** Mean loss and accuracy over a set, in chunks so memory stays bounded. */
export function evaluate(model: Mlp, x: Float32Array, labels: Uint8Array, features: number, classes: number, chunk = EVAL_CHUNK): { loss: number; accuracy: number } {
  return runSteps(evaluateSteps(model, x, labels, features, classes, chunk));
}

/** evaluate with a checkpoint after each layer of each chunk; the same numbers. */
export function evaluateInterruptible(model: Mlp, x: Float32Array, labels: Uint8Array, features: number, classes: number, signal: AbortSignal | undefined, phase: string, chunk = EVAL_CHUNK): Promise<{ loss: number; accuracy: number }> {
  return inAsyncScope(() => runStepsInterruptible(evaluateSteps(model, x, labels, features, classes, chunk), signal, () => phase));
}

function* evaluateSteps(model: Mlp, x: Float32Array, labels: Uint8Array, features: number, classes: number, chunk: number): Generator<number, { loss: number; accuracy: number }, void> {
  const count = labels.length;
  const last = model.weights.length - 1;
  let lossSum = 0;
  let correctSum = 0;
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    // forward() one layer per tidy, so the chunk can pause between layers (a tidy cannot span a yield).
    let input = tf.tensor2d(x.subarray(start * features, end * features), [end - start, features]);
    try {
      for (let l = 0; l < last; l++) {
        const a = tf.tidy(() => model.ops.apply(normalizeForEvaluation(model, l, tf.add(tf.matMul(input, model.weights[l]), model.biases[l]) as tf.Tensor2D)) as tf.Tensor2D);
        input.dispose();
        input = a;
        yield l + 1;
      }
      const logProbs = tf.tidy(() => tf.logSoftmax(tf.add(tf.matMul(input, model.weights[last]), model.biases[last])));
      const score = scoreLogProbs(logProbs.dataSync(), labels.subarray(start, end), classes);
      logProbs.dispose();
      lossSum += score.loss * (end - start);
      correctSum += score.correct;
    } finally {
      input.dispose();
    }
    yield last + 1;
  }
  return { loss: lossSum / count, accuracy: correctSum / count };
}
